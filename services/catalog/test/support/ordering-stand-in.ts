import type { ServiceSchema } from 'moleculer';
import { standInService } from '@ticketpro/shared/testing';

/**
 * Stands in for ordering across the boundary: `orders.cancelForEvent` answers that `cancelled`
 * orders were cancelled, recording each call's event id and request id.
 */
export class OrderingStandIn {
  readonly calls: { eventId: number; requestId?: string }[] = [];
  cancelled = 0;
  /** Set to make `orders.cancelForEvent` fail, as when ordering is unreachable. */
  failure?: Error;

  schema(): ServiceSchema {
    return standInService('ordering', {
      'orders.cancelForEvent': async (ctx) => {
        this.calls.push({ eventId: ctx.params.event_id, requestId: ctx.meta.requestId });
        if (this.failure) throw this.failure;
        return { event_id: ctx.params.event_id, cancelled: this.cancelled };
      },
    });
  }
}
