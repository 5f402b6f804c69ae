import { versionedEvent } from '../events/definition';
import { Page } from '../pagination';
import { IdParams, MessageSchema } from '../schemas/common';
import {
  AddUnitParams,
  AddUnitResult,
  CreateEventBody,
  CreatePromoCodeParams,
  CreateTicketTypeBody,
  EventFacts,
  EventFactsWithCapacity,
  EventRemoved,
  EventSchema,
  EventSummarySchema,
  ExtendHoldParams,
  ExtendedHold,
  HoldParams,
  HoldResult,
  InventoryChange,
  JoinWaitlistParams,
  ListWaitlistQuery,
  ListEventsQuery,
  ListPromoCodesParams,
  ListTicketTypesQuery,
  OrderRef,
  PromoCodeParams,
  PromoCodeSchema,
  RemoveUnitParams,
  RemoveUnitResult,
  RestockUnitsParams,
  TicketTypeFacts,
  TicketTypeRemoved,
  TicketTypeSchema,
  UpdateEventParams,
  UpdatePromoCodeParams,
  UpdateTicketTypeParams,
  WaitlistEntrySchema,
  WaitlistOffered,
  WaitlistPositionSchema,
} from '../schemas/catalog';
import { defineContract, read, write } from './define';
import { INVENTORY_TIMEOUT_MS, READ_TIMEOUT_MS } from './timeouts';

/** Events, their ticket types, and the inventory orders hold, buy and return. */
export const catalogContract = defineContract({
  service: 'catalog',
  actions: {
    'events.list': read(ListEventsQuery, Page(EventSummarySchema), { timeoutMs: READ_TIMEOUT_MS }),
    'events.get': read(IdParams, EventSchema, { timeoutMs: READ_TIMEOUT_MS }),
    'events.create': write(CreateEventBody, EventSchema),
    'events.update': write(UpdateEventParams, EventSchema),
    'events.delete': write(IdParams, MessageSchema),
    'ticketTypes.list': read(ListTicketTypesQuery, Page(TicketTypeSchema), { timeoutMs: READ_TIMEOUT_MS }),
    'ticketTypes.get': read(IdParams, TicketTypeSchema, { timeoutMs: READ_TIMEOUT_MS }),
    'ticketTypes.create': write(CreateTicketTypeBody, TicketTypeSchema),
    'ticketTypes.update': write(UpdateTicketTypeParams, TicketTypeSchema),
    'ticketTypes.delete': write(IdParams, MessageSchema),
    'promoCodes.list': read(ListPromoCodesParams, Page(PromoCodeSchema), { timeoutMs: READ_TIMEOUT_MS }),
    'promoCodes.get': read(PromoCodeParams, PromoCodeSchema, { timeoutMs: READ_TIMEOUT_MS }),
    'promoCodes.create': write(CreatePromoCodeParams, PromoCodeSchema),
    'promoCodes.update': write(UpdatePromoCodeParams, PromoCodeSchema),
    'promoCodes.delete': write(PromoCodeParams, MessageSchema),
    'waitlist.join': write(JoinWaitlistParams, WaitlistPositionSchema),
    'waitlist.get': read(IdParams, WaitlistPositionSchema, { timeoutMs: READ_TIMEOUT_MS }),
    'waitlist.leave': write(IdParams, MessageSchema),
    'waitlist.list': read(ListWaitlistQuery, Page(WaitlistEntrySchema), { timeoutMs: READ_TIMEOUT_MS }),
    // The inventory steps of ordering's saga; no routes.
    'inventory.hold': write(HoldParams, HoldResult, { idempotentOn: 'order_id', timeoutMs: INVENTORY_TIMEOUT_MS }),
    'inventory.release': write(OrderRef, InventoryChange, {
      idempotentOn: 'order_id',
      timeoutMs: INVENTORY_TIMEOUT_MS,
    }),
    'inventory.confirm': write(OrderRef, InventoryChange, {
      idempotentOn: 'order_id',
      timeoutMs: INVENTORY_TIMEOUT_MS,
    }),
    'inventory.restock': write(OrderRef, InventoryChange, {
      idempotentOn: 'order_id',
      timeoutMs: INVENTORY_TIMEOUT_MS,
    }),
    // A partial refund's units, each under its own ref.
    'inventory.restockUnits': write(RestockUnitsParams, InventoryChange, {
      idempotentOn: 'units',
      timeoutMs: INVENTORY_TIMEOUT_MS,
    }),
    // Kept while a payment is awaited: a repeat extends from its own instant, never shortens.
    'inventory.extendHold': write(ExtendHoldParams, ExtendedHold, {
      idempotentOn: 'order_id',
      timeoutMs: INVENTORY_TIMEOUT_MS,
    }),
    'inventory.addUnit': write(AddUnitParams, AddUnitResult, { idempotentOn: 'ref', timeoutMs: INVENTORY_TIMEOUT_MS }),
    'inventory.removeUnit': write(RemoveUnitParams, RemoveUnitResult, {
      idempotentOn: 'ref',
      timeoutMs: INVENTORY_TIMEOUT_MS,
    }),
  },
  events: {
    // v2: the event's capacity, so that reporting counts the seats left as a hold does.
    'catalog.event.created': versionedEvent({ 1: EventFacts, 2: EventFactsWithCapacity }),
    'catalog.event.updated': versionedEvent({ 1: EventFacts, 2: EventFactsWithCapacity }),
    'catalog.event.deleted': versionedEvent({ 1: EventRemoved }),
    'catalog.ticket_type.created': versionedEvent({ 1: TicketTypeFacts }),
    'catalog.ticket_type.updated': versionedEvent({ 1: TicketTypeFacts }),
    'catalog.ticket_type.deleted': versionedEvent({ 1: TicketTypeRemoved }),
    'catalog.waitlist.offered': versionedEvent({ 1: WaitlistOffered }),
  },
});
