import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  CreatePromoCodeBody,
  IdParams,
  MessageSchema,
  Page,
  PageQuery,
  PromoCodeParams,
  PromoCodeSchema,
  UpdatePromoCodeBody,
} from '@ticketpro/shared';
import { EXAMPLE_PROMO_CODE, pageExample } from './examples';
import { serviceRoute } from './service-route';

const TAGS = ['promo codes'];
const PromoCode = Type.Ref(PromoCodeSchema);

const RULES =
  'A code is matched without regard to case and is unique (in any case) within its event. It takes either ' +
  "`percent_off` of each line it applies to, rounded per line half to even to the currency's minor unit, or " +
  '`amount_off` off each ticket, never more than its price. `ticket_type_ids` limits it to those ticket types ' +
  '(null: all of the event). It is valid from `starts_at` until `ends_at` (null: open-ended). `max_uses` limits ' +
  'the orders using it at once and `max_uses_per_user` those of one account: an order uses it while pending ' +
  'with a live hold or once paid; a cancelled or expired order gives its use back.';

/**
 * `/events/{id}/promo-codes`: the event's organizer or an admin manages its codes (catalog's
 * decision); buyers only name a code when they order (`POST /orders`, `promo_code`).
 */
export const promoCodeRoutes: FastifyPluginAsync = async (app) => {
  app.route(
    serviceRoute({
      method: 'GET',
      url: '/:id/promo-codes',
      summary: "List an event's promo codes with their uses (its organizer or an admin)",
      description: 'Oldest first. `uses` counts the orders using each code now.',
      tags: TAGS,
      auth: true,
      action: 'catalog.promoCodes.list',
      examples: { response: pageExample(EXAMPLE_PROMO_CODE) },
      status: 200,
      params: IdParams,
      querystring: Type.Object(PageQuery, { additionalProperties: false }),
      response: { ...Page(PromoCode), description: 'A page of promo codes' },
      problems: ['forbidden', 'not-found'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'GET',
      url: '/:id/promo-codes/:code_id',
      summary: 'One promo code of an event, with its uses (its organizer or an admin)',
      description: `404 for a code of another event. ${RULES}`,
      tags: TAGS,
      auth: true,
      action: 'catalog.promoCodes.get',
      examples: { response: EXAMPLE_PROMO_CODE },
      status: 200,
      params: PromoCodeParams,
      response: { ...PromoCode, description: 'The promo code' },
      problems: ['forbidden', 'not-found'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'POST',
      url: '/:id/promo-codes',
      summary: 'Add a promo code to an event (its organizer or an admin)',
      description: `${RULES} Exactly one of \`percent_off\` and \`amount_off\` is required (422 otherwise); a code the event already has, in any case, answers 409.`,
      tags: TAGS,
      auth: true,
      action: 'catalog.promoCodes.create',
      examples: {
        request: {
          code: EXAMPLE_PROMO_CODE.code,
          percent_off: 10,
          ticket_type_ids: EXAMPLE_PROMO_CODE.ticket_type_ids,
          starts_at: EXAMPLE_PROMO_CODE.starts_at,
          ends_at: EXAMPLE_PROMO_CODE.ends_at,
          max_uses: 100,
          max_uses_per_user: 1,
        },
        response: { ...EXAMPLE_PROMO_CODE, uses: 0 },
      },
      status: 201,
      params: IdParams,
      body: CreatePromoCodeBody,
      response: { ...PromoCode, description: 'The new promo code' },
      problems: ['forbidden', 'not-found', 'conflict'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'PUT',
      url: '/:id/promo-codes/:code_id',
      summary: 'Change a promo code (its organizer or an admin)',
      description: `Only the fields sent change; orders already placed keep their discount, and new limits apply to orders from now on. ${RULES}`,
      tags: TAGS,
      auth: true,
      action: 'catalog.promoCodes.update',
      examples: { request: { max_uses: 150 }, response: { ...EXAMPLE_PROMO_CODE, max_uses: 150 } },
      status: 200,
      params: PromoCodeParams,
      body: UpdatePromoCodeBody,
      response: { ...PromoCode, description: 'The changed promo code' },
      problems: ['forbidden', 'not-found', 'conflict'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'DELETE',
      url: '/:id/promo-codes/:code_id',
      summary: 'Delete a promo code (its organizer or an admin)',
      description: 'No order may use it from now on; orders that did keep their discount.',
      tags: TAGS,
      auth: true,
      action: 'catalog.promoCodes.delete',
      examples: { response: { message: 'Promo code deleted' } },
      status: 200,
      params: PromoCodeParams,
      response: { ...MessageSchema, description: 'The promo code is deleted' },
      problems: ['forbidden', 'not-found'],
    }),
  );
};
