import { catalogContract, defineService, feed, USER_EVENTS } from '@ticketpro/shared';
import { migrations } from '../migrations';
import { bindModels } from './models';
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
import { listPromoCodesAction } from './actions/promo-codes-list';
import { getPromoCodeAction } from './actions/promo-codes-get';
import { createPromoCodeAction } from './actions/promo-codes-create';
import { updatePromoCodeAction } from './actions/promo-codes-update';
import { deletePromoCodeAction } from './actions/promo-codes-delete';
import { holdInventoryAction } from './actions/inventory-hold';
import { releaseInventoryAction } from './actions/inventory-release';
import { confirmInventoryAction } from './actions/inventory-confirm';
import { restockInventoryAction } from './actions/inventory-restock';
import { restockUnitsInventoryAction } from './actions/inventory-restock-units';
import { extendHoldInventoryAction } from './actions/inventory-extend-hold';
import { addUnitInventoryAction } from './actions/inventory-add-unit';
import { removeUnitInventoryAction } from './actions/inventory-remove-unit';
import { joinWaitlistAction } from './actions/waitlist-join';
import { getWaitlistAction } from './actions/waitlist-get';
import { leaveWaitlistAction } from './actions/waitlist-leave';
import { listWaitlistAction } from './actions/waitlist-list';
import { applyUserEvent } from './organizers/apply-user-event';

export { applyUserEvent } from './organizers/apply-user-event';
export type { CatalogRuntime } from './runtime';

/** Events, their ticket types, and the inventory orders hold, buy and return. */
export const createCatalogService = defineService({
  contract: catalogContract,
  migrations,
  prepare: (base) => ({ models: bindModels(base.resources.db) }),
  actions: (catalog) => ({
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
    'promoCodes.list': listPromoCodesAction(catalog),
    'promoCodes.get': getPromoCodeAction(catalog),
    'promoCodes.create': createPromoCodeAction(catalog),
    'promoCodes.update': updatePromoCodeAction(catalog),
    'promoCodes.delete': deletePromoCodeAction(catalog),
    'waitlist.join': joinWaitlistAction(catalog),
    'waitlist.get': getWaitlistAction(catalog),
    'waitlist.leave': leaveWaitlistAction(catalog),
    'waitlist.list': listWaitlistAction(catalog),
    'inventory.hold': holdInventoryAction(catalog),
    'inventory.release': releaseInventoryAction(catalog),
    'inventory.confirm': confirmInventoryAction(catalog),
    'inventory.restock': restockInventoryAction(catalog),
    'inventory.restockUnits': restockUnitsInventoryAction(catalog),
    'inventory.extendHold': extendHoldInventoryAction(catalog),
    'inventory.addUnit': addUnitInventoryAction(catalog),
    'inventory.removeUnit': removeUnitInventoryAction(catalog),
  }),
  feeds: () => [feed('organizers', USER_EVENTS, (envelope, trx) => applyUserEvent(trx, envelope))],
  tasks: ({ resources, logger, config }) => [
    {
      // Reads ignore expired holds and lapsed offers at once; the sweep gives their units back for good.
      name: 'expired holds and offers sweep',
      everyMs: config.HOLD_SWEEP_INTERVAL_MS,
      run: async () => {
        const units = await sweepExpiredHolds(resources.db, config.WAITLIST_OFFER_SECONDS);
        if (units > 0) logger.info({ units }, 'expired holds and lapsed offers swept');
      },
    },
  ],
});
