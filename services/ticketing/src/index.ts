import type { ServiceSchema } from 'moleculer';
import {
  closeServiceResources,
  healthAction,
  openServiceResources,
  subscribeToEvents,
  type EventSubscription,
  type NodeDeps,
} from '@ticketpro/shared';
import { migrations } from '../migrations';
import { bindModels } from './models';
import type { TicketingRuntime } from './runtime';
import { TicketKeyring } from './codes/keyring';
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

export { TicketKeyring } from './codes/keyring';
export { parseCode, hasValidSignature } from './codes/ticket-code';
export type { TicketingRuntime } from './runtime';

export interface TicketingOptions {
  /** Hands the started runtime out, for tests that rotate keys or read the keyring. */
  onStarted?: (runtime: TicketingRuntime) => void;
}

/** Tickets issued exactly once per paid unit, their signed codes, and check-in at the door. */
export function createTicketingService({ config, logger }: NodeDeps, options: TicketingOptions = {}): ServiceSchema {
  let runtime: (TicketingRuntime & { feeds: EventSubscription[] }) | undefined;
  const ticketing = (): TicketingRuntime => {
    if (!runtime) throw new Error('The ticketing service is not started');
    return runtime;
  };

  return {
    name: 'ticketing',
    actions: {
      'tickets.list': listTicketsAction(ticketing),
      'tickets.get': getTicketAction(ticketing),
      'tickets.create': createTicketAction(ticketing),
      'tickets.update': updateTicketAction(ticketing),
      'tickets.delete': deleteTicketAction(ticketing),
      'tickets.qr': ticketQrAction(ticketing),
      'tickets.voidForRefund': voidForRefundAction(ticketing),
      'validation.keys': ticketKeysAction(ticketing),
      'validation.validate': validateTicketAction(ticketing),
      'validation.checkin': checkInAction(ticketing),
      'validation.checkout': checkOutAction(ticketing),
      'validation.status': ticketStatusAction(ticketing),
      health: healthAction(() => runtime?.resources.db),
    },

    async started() {
      const resources = await openServiceResources(config, 'ticketing', migrations, logger);
      const feeds: EventSubscription[] = [];
      try {
        const models = bindModels(resources.db);
        const keyring = await TicketKeyring.open(resources.db);
        feeds.push(
          await subscribeToEvents({
            config,
            service: 'ticketing',
            name: 'event-organizers',
            events: CATALOG_EVENTS,
            db: resources.db,
            logger,
            handle: (envelope, trx) => applyCatalogEvent(trx, envelope),
          }),
        );
        feeds.push(
          await subscribeToEvents({
            config,
            service: 'ticketing',
            name: 'issuing',
            events: ORDER_EVENTS,
            db: resources.db,
            logger,
            handle: async (envelope, trx) => {
              await applyOrderEvent(trx, models, keyring, envelope);
              // The tickets' events are committed with the processed-event row; relay them right after.
              trx.executionPromise.then(() => resources.relay.notify(), () => undefined);
            },
          }),
        );
        runtime = { resources, models, keyring, feeds };
        options.onStarted?.(runtime);
      } catch (err) {
        for (const feed of feeds) await feed.stop();
        await closeServiceResources(resources, logger);
        throw err;
      }
    },

    async stopped() {
      const stopping = runtime;
      runtime = undefined;
      for (const feed of stopping?.feeds ?? []) await feed.stop();
      await closeServiceResources(stopping?.resources, logger);
    },
  };
}
