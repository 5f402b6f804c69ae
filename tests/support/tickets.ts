import { type Api } from '@ticketpro/shared/testing';
export interface TicketView {
  id: number;
  order_id: number;
  ticket_type_id: number;
  event_id: number;
  seat_number: string | null;
  qr_code: string;
  status: 'reserved' | 'valid' | 'used' | 'void';
  checked_in: boolean;
  checked_out: boolean;
  validated_at: string | null;
  validated_by: number | null;
  created_at: string;
  updated_at: string;
}

/**
 * Polls `GET /tickets?order_id=` as `token` until the order's tickets satisfy `accept`:
 * ticketing issues and voids them when it handles the order's events, after the order call
 * has answered. A 503 while ticketing is starting counts as not yet.
 */
export async function waitForTickets(
  api: Api,
  token: string,
  orderId: number,
  accept: (tickets: TicketView[]) => boolean,
  timeoutMs = 30_000,
): Promise<TicketView[]> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const res = await api('GET', `/api/v1/tickets?order_id=${orderId}&limit=100`, { token });
    if (res.status === 200 && accept(res.body.items)) return res.body.items;
    last = `${res.status} ${JSON.stringify(res.body).slice(0, 500)}`;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the tickets of order ${orderId} did not settle within ${timeoutMs} ms; last answer: ${last}`);
}

/** The order's tickets once there are `count` of them. */
export const waitForTicketCount = (api: Api, token: string, orderId: number, count: number) =>
  waitForTickets(api, token, orderId, (tickets) => tickets.length >= count);
