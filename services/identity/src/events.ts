import type { Knex } from 'knex';
import { recordEvent, type EventData, type EventName } from '@ticketpro/shared';

const EVENT_SOURCE = 'identity';

/** Records an identity event in the caller's transaction; call `relay.notify()` after commit. */
export function recordIdentityEvent<N extends EventName>(trx: Knex.Transaction, name: N, data: EventData<N>) {
  return recordEvent(trx, EVENT_SOURCE, name, data);
}
