import type { Knex } from 'knex';
import type { ServiceBroker, ServiceSchema } from 'moleculer';
import { call, LocalPublisher, localDomainEvents, type AuthUser, type Ticket } from '@ticketpro/shared';
import { eventually, startServiceNode, as } from '@ticketpro/shared/testing';
import { createTicketingService, type TicketingOptions, type TicketingRuntime } from '../../src';
import { CatalogStandIn } from './catalog-stand-in';
import { envelopeOf, nextId, orderFacts } from './order-events';

export const buyer: AuthUser = { id: 301, role: 'user' };
export const otherUser: AuthUser = { id: 302, role: 'user' };
export const organizer: AuthUser = { id: 101, role: 'organizer' };
export const otherOrganizer: AuthUser = { id: 102, role: 'organizer' };
export const admin: AuthUser = { id: 1, role: 'admin' };

export { as };

export interface EmbeddedTicketing {
  broker: ServiceBroker;
  runtime: TicketingRuntime;
  catalog: CatalogStandIn;
  /** Direct access to ticketing's tables, for checking what the service stored. */
  db: Knex;
  stop(): Promise<void>;
}

/**
 * Ticketing in embedded mode (events on the in-process bus) on a fresh database, next to a
 * stand-in catalog and any other stand-ins given.
 */
export async function startEmbeddedTicketing(
  label: string,
  standIns: ServiceSchema[] = [],
  options: TicketingOptions = {},
): Promise<EmbeddedTicketing> {
  const catalog = new CatalogStandIn();
  let runtime: TicketingRuntime | undefined;
  const node = await startServiceNode({
    label,
    services: {
      ticketing: (deps) => createTicketingService(deps, { ...options, onStarted: (started) => (runtime = started) }),
    },
    standIns: [catalog.schema(), ...standIns],
  });
  return { broker: node.broker, runtime: runtime!, catalog, db: node.db.ticketing, stop: node.stop };
}

const bus = new LocalPublisher(localDomainEvents);

/** A new event organized by `by`, as catalog announces it. */
export async function announceEvent(by: AuthUser = organizer): Promise<number> {
  const id = nextId();
  await bus.publish(
    envelopeOf('catalog.event.created', {
      id,
      event_name: `Event ${id}`,
      organizer_id: by.id,
      location: 'Harare',
      date: new Date(Date.now() + 86_400_000).toISOString(),
      capacity: null,
    }),
  );
  return id;
}

/** Pays an order of `units` units for `owner` and waits for its tickets. */
export async function buyTickets(
  broker: ServiceBroker,
  eventId: number,
  units = 1,
  owner: AuthUser = buyer,
): Promise<Ticket[]> {
  const order = orderFacts(owner.id, eventId, [[nextId(), units]]);
  await bus.publish(envelopeOf('ordering.order.paid', order));
  return eventually(async () => {
    const page = await call(broker, 'ticketing.tickets.list', { order_id: order.id, skip: 0, limit: 20 }, as(admin));
    return page.items.length === units ? page.items : undefined;
  });
}

/** Refunds the order a ticket belongs to, and waits for the ticket to be void. */
export async function refund(broker: ServiceBroker, ticket: Ticket, owner: AuthUser = buyer): Promise<void> {
  const order = orderFacts(owner.id, ticket.event_id, [[ticket.ticket_type_id, 1]], ticket.order_id);
  await bus.publish(envelopeOf('ordering.order.refunded', { ...order, payment_status: 'refunded' }));
  await eventually(async () => {
    const current = await call(broker, 'ticketing.tickets.get', { id: ticket.id }, as(admin));
    return current.status === 'void';
  });
}
