import type { Knex } from 'knex';
import { recordEvent, type EventData, type EventName } from '@ticketpro/shared';

const EVENT_SOURCE = 'catalog';

/** Records a catalog event in the caller's transaction; call `relay.notify()` after commit. */
export function recordCatalogEvent<N extends EventName>(trx: Knex.Transaction, name: N, data: EventData<N>) {
  return recordEvent(trx, EVENT_SOURCE, name, data);
}
