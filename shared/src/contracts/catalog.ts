import { versionedEvent } from '../events/definition';
import { Page } from '../pagination';
import { IdParams, MessageSchema } from '../schemas/common';
import {
  AddUnitParams,
  AddUnitResult,
  CreateEventBody,
  CreateTicketTypeBody,
  EventFacts,
  EventRemoved,
  EventSchema,
  EventSummarySchema,
  ExtendHoldParams,
  ExtendedHold,
  HoldParams,
  HoldResult,
  InventoryChange,
  ListEventsQuery,
  ListTicketTypesQuery,
  OrderRef,
  RemoveUnitParams,
  RemoveUnitResult,
  RestockUnitsParams,
  TicketTypeFacts,
  TicketTypeRemoved,
  TicketTypeSchema,
  UpdateEventParams,
  UpdateTicketTypeParams,
} from '../schemas/catalog';
import { defineContract, read, write } from './define';

/** Events, their ticket types, and the inventory orders hold, buy and return. */
export const catalogContract = defineContract({
  service: 'catalog',
  actions: {
    'events.list': read(ListEventsQuery, Page(EventSummarySchema)),
    'events.get': read(IdParams, EventSchema),
    'events.create': write(CreateEventBody, EventSchema),
    'events.update': write(UpdateEventParams, EventSchema),
    'events.delete': write(IdParams, MessageSchema),
    'ticketTypes.list': read(ListTicketTypesQuery, Page(TicketTypeSchema)),
    'ticketTypes.get': read(IdParams, TicketTypeSchema),
    'ticketTypes.create': write(CreateTicketTypeBody, TicketTypeSchema),
    'ticketTypes.update': write(UpdateTicketTypeParams, TicketTypeSchema),
    'ticketTypes.delete': write(IdParams, MessageSchema),
    // The inventory steps of ordering's saga; no routes.
    'inventory.hold': write(HoldParams, HoldResult, { idempotentOn: 'order_id' }),
    'inventory.release': write(OrderRef, InventoryChange, { idempotentOn: 'order_id' }),
    'inventory.confirm': write(OrderRef, InventoryChange, { idempotentOn: 'order_id' }),
    'inventory.restock': write(OrderRef, InventoryChange, { idempotentOn: 'order_id' }),
    // A partial refund's units, each under its own ref.
    'inventory.restockUnits': write(RestockUnitsParams, InventoryChange, { idempotentOn: 'units' }),
    // Kept while a payment is awaited: a repeat extends from its own instant, never shortens.
    'inventory.extendHold': write(ExtendHoldParams, ExtendedHold, { idempotentOn: 'order_id' }),
    'inventory.addUnit': write(AddUnitParams, AddUnitResult, { idempotentOn: 'ref' }),
    'inventory.removeUnit': write(RemoveUnitParams, RemoveUnitResult, { idempotentOn: 'ref' }),
  },
  events: {
    'catalog.event.created': versionedEvent({ 1: EventFacts }),
    'catalog.event.updated': versionedEvent({ 1: EventFacts }),
    'catalog.event.deleted': versionedEvent({ 1: EventRemoved }),
    'catalog.ticket_type.created': versionedEvent({ 1: TicketTypeFacts }),
    'catalog.ticket_type.updated': versionedEvent({ 1: TicketTypeFacts }),
    'catalog.ticket_type.deleted': versionedEvent({ 1: TicketTypeRemoved }),
  },
});
