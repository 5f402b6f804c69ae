import { call, ConflictError, type RequestContext } from '@ticketpro/shared';

/**
 * When transfers of the event's tickets close: `transfer_cutoff_hours` (the organizer's setting
 * on the event in catalog, 0 when unset) before it starts. Asked of catalog at each offer and
 * acceptance rather than projected, so an organizer's change counts at once; an event catalog no
 * longer has (deleted) closes transfers.
 */
export async function transfersCloseAt(ctx: RequestContext<unknown>, eventId: number): Promise<Date> {
  let event: { date: string; transfer_cutoff_hours: number | null };
  try {
    event = await call(ctx, 'catalog.events.get', { id: eventId });
  } catch (err) {
    if ((err as { code?: number }).code === 404) return new Date(0);
    throw err;
  }
  return new Date(Date.parse(event.date) - (event.transfer_cutoff_hours ?? 0) * 3_600_000);
}

/** 409 once the event's transfers have closed. */
export function assertTransfersOpen(closesAt: Date, eventId: number): void {
  if (closesAt.getTime() <= Date.now()) {
    throw new ConflictError("Transfers of this event's tickets are closed", {
      event_id: eventId,
      transfers_closed_at: closesAt.toISOString(),
    });
  }
}
