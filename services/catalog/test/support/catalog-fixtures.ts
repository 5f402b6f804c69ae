import type { ServiceBroker } from 'moleculer';
import {
  call,
  type AuthUser,
  type CreateEventBody,
  type CreateTicketTypeBody,
  type Event,
  type Holder,
  type HoldParams,
  type HoldResult,
  type TicketType,
} from '@ticketpro/shared';
import { uniqueName, as } from '@ticketpro/shared/testing';

export const organizer: AuthUser = { id: 101, role: 'organizer' };
export const otherOrganizer: AuthUser = { id: 102, role: 'organizer' };
export const admin: AuthUser = { id: 1, role: 'admin' };
export const plainUser: AuthUser = { id: 201, role: 'user' };

export const DAY_MS = 24 * 60 * 60 * 1000;

export { as };

export function inDays(days: number): string {
  return new Date(Date.now() + days * DAY_MS).toISOString();
}

export function newEventBody(overrides: Partial<CreateEventBody> = {}): CreateEventBody {
  return {
    event_name: uniqueName('Harare Jazz Night'),
    description: 'An evening of jazz under the stars.',
    location: 'Harare Gardens, Harare',
    date: inDays(30),
    ...overrides,
  };
}

export async function createEvent(
  broker: ServiceBroker,
  caller: AuthUser = organizer,
  overrides: Partial<CreateEventBody> = {},
): Promise<Event> {
  return call(broker, 'catalog.events.create', newEventBody(overrides), as(caller));
}

export function newTicketTypeBody(
  eventId: number,
  overrides: Partial<CreateTicketTypeBody> = {},
): CreateTicketTypeBody {
  return {
    event_id: eventId,
    name: 'General admission',
    description: 'Standing room near the stage.',
    price: 19.99,
    quantity: 100,
    ...overrides,
  };
}

export async function createTicketType(
  broker: ServiceBroker,
  eventId: number,
  overrides: Partial<CreateTicketTypeBody> = {},
  caller: AuthUser = organizer,
): Promise<TicketType> {
  return call(broker, 'catalog.ticketTypes.create', newTicketTypeBody(eventId, overrides), as(caller));
}

/** An "Early bird" ticket type with every optional field set: a sales window around now and a per-order limit. */
export function createWindowedTicketType(broker: ServiceBroker, eventId: number): Promise<TicketType> {
  return createTicketType(broker, eventId, {
    name: 'Early bird',
    price: 12.35,
    quantity: 50,
    max_per_order: 4,
    sales_start: inDays(-1),
    sales_end: inDays(5),
  });
}

let lastOrderId = Math.floor(Math.random() * 1_000_000);

/** An order id no other test of the file uses. */
export function nextOrderId(): number {
  return ++lastOrderId;
}

let lastUserId = Math.floor(Math.random() * 1_000_000);

/** A holder no other hold of the file has, so that what one user may hold never limits a test by accident. */
export function newHolder(): Holder {
  return { user_id: ++lastUserId, exempt: false };
}

export function holdParams(
  eventId: number,
  items: HoldParams['items'],
  options: { orderId?: number; expiresInMs?: number; holder?: Holder } = {},
): HoldParams {
  return {
    order_id: options.orderId ?? nextOrderId(),
    event_id: eventId,
    holder: options.holder ?? newHolder(),
    items,
    expires_at: new Date(Date.now() + (options.expiresInMs ?? 15 * 60 * 1000)).toISOString(),
  };
}

export function hold(broker: ServiceBroker, params: HoldParams): Promise<HoldResult> {
  return call(broker, 'catalog.inventory.hold', params);
}

/**
 * A hold in a race that proves a count: racing holds of one row land one after another, and on a
 * loaded CI machine the last of a hundred waited beyond the action's 4 s. What such a race proves
 * is how many won, not how long they waited (the bench measures that), so it waits for its turn.
 */
export function holdInRace(broker: ServiceBroker, params: HoldParams): Promise<HoldResult> {
  return call(broker, 'catalog.inventory.hold', params, { timeout: 60_000 });
}
