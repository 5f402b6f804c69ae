import type { ServiceSchema } from 'moleculer';
import {
  closeServiceResources,
  healthAction,
  openServiceResources,
  PeriodicTask,
  subscribeToEvents,
  type EventSubscription,
  type NodeDeps,
} from '@ticketpro/shared';
import { migrations } from '../migrations';
import { bindModels } from './models';
import type { CatalogRuntime } from './runtime';
import { sweepExpiredHolds } from './inventory/sweep-expired-holds';
import { listEventsAction } from './actions/events-list';
import { getEventAction } from './actions/events-get';
import { createEventAction } from './actions/events-create';
import { updateEventAction } from './actions/events-update';
import { deleteEventAction } from './actions/events-delete';
import { listTicketTypesAction } from './actions/ticket-types-list';
import { getTicketTypeAction } from './actions/ticket-types-get';
import { createTicketTypeAction } from './actions/ticket-types-create';
import { updateTicketTypeAction } from './actions/ticket-types-update';
import { deleteTicketTypeAction } from './actions/ticket-types-delete';
import { holdInventoryAction } from './actions/inventory-hold';
import { releaseInventoryAction } from './actions/inventory-release';
import { confirmInventoryAction } from './actions/inventory-confirm';
import { restockInventoryAction } from './actions/inventory-restock';
import { addUnitInventoryAction } from './actions/inventory-add-unit';
import { removeUnitInventoryAction } from './actions/inventory-remove-unit';
import { applyUserEvent, USER_EVENTS } from './organizers/apply-user-event';

export { applyUserEvent, USER_EVENTS, type UserEventName } from './organizers/apply-user-event';

export interface CatalogOptions {
  /** How often expired holds are swept; reads ignore them at once either way. */
  holdSweepIntervalMs?: number;
}

/** Events, their ticket types, and the inventory orders hold, buy and return. */
export function createCatalogService({ config, logger }: NodeDeps, options: CatalogOptions = {}): ServiceSchema {
  let runtime: (CatalogRuntime & { sweeper: PeriodicTask; organizerFeed: EventSubscription }) | undefined;
  const catalog = (): CatalogRuntime => {
    if (!runtime) throw new Error('The catalog service is not started');
    return runtime;
  };

  return {
    name: 'catalog',
    actions: {
      'events.list': listEventsAction(catalog),
      'events.get': getEventAction(catalog),
      'events.create': createEventAction(catalog),
      'events.update': updateEventAction(catalog),
      'events.delete': deleteEventAction(catalog),
      'ticketTypes.list': listTicketTypesAction(catalog),
      'ticketTypes.get': getTicketTypeAction(catalog),
      'ticketTypes.create': createTicketTypeAction(catalog),
      'ticketTypes.update': updateTicketTypeAction(catalog),
      'ticketTypes.delete': deleteTicketTypeAction(catalog),
      'inventory.hold': holdInventoryAction(catalog),
      'inventory.release': releaseInventoryAction(catalog),
      'inventory.confirm': confirmInventoryAction(catalog),
      'inventory.restock': restockInventoryAction(catalog),
      'inventory.addUnit': addUnitInventoryAction(catalog),
      'inventory.removeUnit': removeUnitInventoryAction(catalog),
      health: healthAction(() => runtime?.resources.db),
    },

    async started() {
      const resources = await openServiceResources(config, 'catalog', migrations, logger);
      let organizerFeed: EventSubscription;
      try {
        organizerFeed = await subscribeToEvents({
          config,
          service: 'catalog',
          name: 'organizers',
          events: USER_EVENTS,
          db: resources.db,
          logger,
          handle: (envelope, trx) => applyUserEvent(trx, envelope),
        });
      } catch (err) {
        await closeServiceResources(resources, logger);
        throw err;
      }
      const sweeper = new PeriodicTask(
        'expired holds sweep',
        async () => {
          const units = await sweepExpiredHolds(resources.db);
          if (units > 0) logger.info({ units }, 'expired holds swept');
        },
        options.holdSweepIntervalMs ?? 5000,
        logger,
      );
      sweeper.start();
      runtime = { config, resources, models: bindModels(resources.db), sweeper, organizerFeed };
    },

    async stopped() {
      const stopping = runtime;
      runtime = undefined;
      await stopping?.organizerFeed.stop();
      await stopping?.sweeper.stop();
      await closeServiceResources(stopping?.resources, logger);
    },
  };
}
