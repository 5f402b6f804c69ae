import { Type } from '@sinclair/typebox';
import { IdParams, MessageSchema, OrderSchema, Page, UpdateOrderBody, UserSchema } from '@ticketpro/shared';
import { ServiceStandIn, type StandInAnswers } from '@ticketpro/shared/testing';
import { serviceRoute } from '../../src/routes/service-route';
import { SAMPLE_ORDER } from '../support/ordering';

/**
 * The gateway's routes and its test stand-ins take their types from the services' contracts:
 * each line marked `@ts-expect-error` must not compile (`npm run typecheck` fails if it does).
 */

const route = {
  method: 'GET' as const,
  url: '/orders/:id',
  summary: 'An order',
  tags: ['orders'],
  auth: true,
  status: 200 as const,
};
const Order = Type.Ref(OrderSchema);

export function routes() {
  serviceRoute({
    ...route,
    action: 'ordering.orders.get',
    params: IdParams,
    response: { ...Order, description: 'The order' },
  });
  // @ts-expect-error: an action renamed (or never there) is no action of any contract
  serviceRoute({ ...route, action: 'ordering.orders.fetch', params: IdParams });
  serviceRoute({
    ...route,
    action: 'ordering.orders.get',
    params: IdParams,
    // @ts-expect-error: the response documents another shape than the action answers
    response: { ...Type.Ref(UserSchema), description: 'x' },
  });
  serviceRoute({
    ...route,
    action: 'ordering.orders.cancel',
    params: IdParams,
    // @ts-expect-error: a field of another type than the action's
    response: Type.Object({ message: Type.Number() }),
  });
  serviceRoute({
    ...route,
    action: 'ordering.orders.cancel',
    params: IdParams,
    response: { ...MessageSchema, description: 'x' },
  });
  // @ts-expect-error: a page where the action answers a message
  serviceRoute({ ...route, action: 'ordering.orders.cancel', params: IdParams, response: Page(Order) });

  // Path and body merged give the action's params, so the default mapping serves.
  serviceRoute({ ...route, method: 'PUT', action: 'ordering.orders.update', params: IdParams, body: UpdateOrderBody });
  // @ts-expect-error: without the body the request cannot give the params: the route must say how
  serviceRoute({ ...route, method: 'PUT', action: 'ordering.orders.update', params: IdParams });
  serviceRoute({
    ...route,
    method: 'PUT',
    action: 'ordering.orders.update',
    params: IdParams,
    // @ts-expect-error: toParams must give the action's params, of their types
    toParams: () => ({ id: 1, payment_method: 'bitcoin' }),
  });
}

export class UnknownActionAnswered extends ServiceStandIn<'ordering'> {
  protected answers(): StandInAnswers<'ordering'> {
    return {
      'orders.get': () => SAMPLE_ORDER,
      // @ts-expect-error: an answer for an action the contract does not have
      'orders.archive': () => SAMPLE_ORDER,
    };
  }
}

export class WrongShapeAnswered extends ServiceStandIn<'ordering'> {
  protected answers(): StandInAnswers<'ordering'> {
    return {
      // @ts-expect-error: an answer of another shape than the action's result
      'orders.cancel': () => SAMPLE_ORDER,
    };
  }
}

describe('serviceRoute', () => {
  it("documents the action's success under its status, and a 204 route as no content", () => {
    const get = serviceRoute({
      ...route,
      action: 'ordering.orders.get',
      params: IdParams,
      response: { ...Order, description: 'The order' },
    });
    const remove = serviceRoute({
      ...route,
      method: 'DELETE',
      url: '/users/:id',
      action: 'identity.users.delete',
      status: 204 as const,
      params: IdParams,
    });

    expect((get.schema as { response: Record<number, unknown> }).response[200]).toEqual({
      ...Order,
      description: 'The order',
    });
    expect((remove.schema as { response: Record<number, unknown> }).response[204]).toEqual({
      description: 'No content',
      type: 'null',
    });
  });
});
