import QRCode from 'qrcode';
import {
  ConflictError,
  ForbiddenError,
  type AuthUser,
  type ParamsOf,
  type RequestContext,
  type ResultOf,
} from '@ticketpro/shared';
import type { TicketingRuntime } from '../runtime';
import { reachableTicket } from './ticket-access';

/** The ticket's code as a QR image: PNG (base64 in `body`) or SVG (the markup), for its holder or an admin. */
export async function ticketQr(
  runtime: TicketingRuntime,
  ctx: RequestContext<unknown>,
  caller: AuthUser,
  { id, format = 'png' }: ParamsOf<'ticketing.tickets.qr'>,
): Promise<ResultOf<'ticketing.tickets.qr'>> {
  const { ticket, standing } = await reachableTicket(ctx, runtime, caller, id, ['owner', 'organizer', 'admin']);
  if (standing === 'organizer') throw new ForbiddenError('Only the ticket holder or an admin may fetch its QR code');
  if (ticket.status === 'void') throw new ConflictError('The ticket is void', { ticket_id: id });
  if (format === 'svg') {
    return {
      content_type: 'image/svg+xml' as const,
      body: await QRCode.toString(ticket.qr_code, { type: 'svg', margin: 2 }),
    };
  }
  const png = await QRCode.toBuffer(ticket.qr_code, { type: 'png', margin: 2, scale: 6 });
  return { content_type: 'image/png' as const, body: png.toString('base64') };
}
