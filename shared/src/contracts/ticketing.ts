import { versionedEvent } from '../events/definition';
import { Page } from '../pagination';
import { IdParams, MessageSchema, NoParams } from '../schemas/common';
import {
  CreateTicketBody,
  ListTicketsQuery,
  QrCodeBody,
  QrImage,
  QrParams,
  RefundedTickets,
  TicketFacts,
  OrderTicketsFacts,
  TicketKeysSchema,
  TicketSchema,
  TicketStatusParams,
  UpdateTicketParams,
  VoidForRefundParams,
  ValidationResultSchema,
  OfferTransferParams,
  TransferSchema,
  AdminTransferBody,
  TicketOwnersSchema,
  RevocationsQuery,
  RevocationsSchema,
  TransferOfferedFacts,
  TicketTransferredFacts,
} from '../schemas/ticketing';
import { defineContract, read, timedRead, write } from './define';

/** Tickets issued exactly once per paid unit, their signed codes, and check-in at the door. */
export const ticketingContract = defineContract({
  service: 'ticketing',
  actions: {
    'tickets.list': timedRead(ListTicketsQuery, Page(TicketSchema)),
    'tickets.get': timedRead(IdParams, TicketSchema),
    'tickets.create': write(CreateTicketBody, TicketSchema),
    'tickets.update': write(UpdateTicketParams, TicketSchema),
    'tickets.delete': write(IdParams, MessageSchema),
    'tickets.qr': read(QrParams, QrImage),
    // The refund's step in ticketing, called by ordering; no route.
    'tickets.voidForRefund': write(VoidForRefundParams, RefundedTickets, { idempotentOn: 'order_id' }),
    'transfers.offer': write(OfferTransferParams, TransferSchema),
    'transfers.accept': write(IdParams, TransferSchema),
    'transfers.cancel': write(IdParams, TransferSchema),
    'transfers.adminTransfer': write(AdminTransferBody, TransferSchema),
    'transfers.owners': timedRead(IdParams, TicketOwnersSchema),
    'validation.revocations': timedRead(RevocationsQuery, RevocationsSchema),
    'validation.keys': read(NoParams, TicketKeysSchema),
    'validation.validate': read(QrCodeBody, ValidationResultSchema),
    'validation.checkin': write(QrCodeBody, ValidationResultSchema),
    'validation.checkout': write(QrCodeBody, ValidationResultSchema),
    'validation.status': read(TicketStatusParams, ValidationResultSchema),
  },
  events: {
    'ticketing.ticket.issued': versionedEvent({ 1: TicketFacts }),
    'ticketing.ticket.checked_in': versionedEvent({ 1: TicketFacts }),
    'ticketing.ticket.checked_out': versionedEvent({ 1: TicketFacts }),
    'ticketing.ticket.voided': versionedEvent({ 1: TicketFacts }),
    'ticketing.order_tickets.issued': versionedEvent({ 1: OrderTicketsFacts }),
    'ticketing.ticket.transfer_offered': versionedEvent({ 1: TransferOfferedFacts }),
    'ticketing.ticket.transferred': versionedEvent({ 1: TicketTransferredFacts }),
  },
});
