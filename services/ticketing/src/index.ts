import { defineService, feed, keyringReloadTask, ticketingContract } from '@ticketpro/shared';
import { migrations } from '../migrations';
import { bindModels } from './models';
import { openTicketKeyring } from './codes/keyring';
import { applyOrderEvent, ORDER_EVENTS } from './issuing/apply-order-event';
import { applyCatalogEvent, CATALOG_EVENTS } from './organizers/apply-catalog-event';
import { listTicketsAction } from './actions/tickets-list';
import { getTicketAction } from './actions/tickets-get';
import { createTicketAction } from './actions/tickets-create';
import { updateTicketAction } from './actions/tickets-update';
import { deleteTicketAction } from './actions/tickets-delete';
import { ticketQrAction } from './actions/tickets-qr';
import { voidForRefundAction } from './actions/tickets-void-for-refund';
import { ticketKeysAction } from './actions/validation-keys';
import { validateTicketAction } from './actions/validation-validate';
import { checkInAction } from './actions/validation-checkin';
import { checkOutAction } from './actions/validation-checkout';
import { ticketStatusAction } from './actions/validation-status';
import { revocationsAction } from './actions/validation-revocations';
import { offerTransferAction } from './actions/transfers-offer';
import { acceptTransferAction } from './actions/transfers-accept';
import { cancelTransferAction } from './actions/transfers-cancel';
import { adminTransferAction } from './actions/transfers-admin-transfer';
import { ticketOwnersAction } from './actions/transfers-owners';

export { parseCode, hasValidSignature } from './codes/ticket-code';
export type { TicketingRuntime } from './runtime';

export interface TicketingOptions {
  /** How often the ticket-code keys are read again, to pick up a rotation (tests shorten it). */
  keyringReloadMs?: number;
}

/** Tickets issued exactly once per paid unit, their signed codes, transfers, and check-in at the door. */
export const createTicketingService = defineService({
  contract: ticketingContract,
  migrations,
  prepare: async (base) => ({
    models: bindModels(base.resources.db),
    keyring: await openTicketKeyring(base.resources.db),
  }),
  actions: (ticketing) => ({
    'tickets.list': listTicketsAction(ticketing),
    'tickets.get': getTicketAction(ticketing),
    'tickets.create': createTicketAction(ticketing),
    'tickets.update': updateTicketAction(ticketing),
    'tickets.delete': deleteTicketAction(ticketing),
    'tickets.qr': ticketQrAction(ticketing),
    'tickets.voidForRefund': voidForRefundAction(ticketing),
    'transfers.offer': offerTransferAction(ticketing),
    'transfers.accept': acceptTransferAction(ticketing),
    'transfers.cancel': cancelTransferAction(ticketing),
    'transfers.adminTransfer': adminTransferAction(ticketing),
    'transfers.owners': ticketOwnersAction(ticketing),
    'validation.revocations': revocationsAction(ticketing),
    'validation.keys': ticketKeysAction(ticketing),
    'validation.validate': validateTicketAction(ticketing),
    'validation.checkin': checkInAction(ticketing),
    'validation.checkout': checkOutAction(ticketing),
    'validation.status': ticketStatusAction(ticketing),
  }),
  feeds: ({ models, keyring }) => [
    feed('event-organizers', CATALOG_EVENTS, (envelope, trx) => applyCatalogEvent(trx, envelope)),
    feed('issuing', ORDER_EVENTS, (envelope, trx) => applyOrderEvent(trx, models, keyring, envelope)),
  ],
  tasks: ({ keyring }, options: TicketingOptions) => [keyringReloadTask(keyring, options.keyringReloadMs)],
});
