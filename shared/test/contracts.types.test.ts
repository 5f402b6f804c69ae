import type { Knex } from 'knex';
import type { ServiceBroker } from 'moleculer';
import {
  call,
  catalogContract,
  CONTRACTS,
  createAjv,
  defineAction,
  defineContract,
  defineService,
  EVENT_CATALOGUE,
  feed,
  identityContract,
  orderingContract,
  serviceEvents,
  SERVICE_NAMES,
  versionedEvent,
  type AcceptedEnvelope,
  type HoldResult,
  type ResultOf,
} from '@ticketpro/shared';
import * as shared from '@ticketpro/shared';
import { standInService } from '@ticketpro/shared/testing';
import { Type } from '@sinclair/typebox';

/**
 * The contracts hold the services together at compile time: what each line marked
 * `@ts-expect-error` below does must not compile, and `npm run typecheck` fails if it ever does
 * (the directive is then unused). These functions are never called; the tests at the end check
 * at run time what types cannot.
 */

declare const broker: ServiceBroker;
declare const trx: Knex.Transaction;
const unreachable = async (): Promise<never> => {
  throw new Error('never called');
};

export async function callSites() {
  const hold = await call(broker, 'catalog.inventory.hold', {
    order_id: 1,
    event_id: 2,
    holder: { user_id: 3, exempt: false },
    items: [{ ticket_type_id: 4, quantity: 1 }],
    expires_at: '2030-01-01T00:00:00Z',
  });
  const typed: HoldResult = hold;
  // @ts-expect-error: an action renamed (or never there) is no action of any contract
  await call(broker, 'catalog.inventory.grab', { order_id: 1 });
  // @ts-expect-error: params of another shape than the contract's
  await call(broker, 'catalog.inventory.release', { orderId: 1 });
  // @ts-expect-error: the params are required where the action takes some
  await call(broker, 'catalog.inventory.release');
  // @ts-expect-error: the answer is the contract's result, not whatever the caller wishes
  const wrong: string = await call(broker, 'catalog.inventory.release', { order_id: 1 });
  // An action that takes nothing needs no params.
  const keys: ResultOf<'identity.keys'> = await call(broker, 'identity.keys');
  return [typed, wrong, keys];
}

export function actions() {
  // The handler sees the contract's params and must answer its result.
  defineAction('ordering.orders.cancel', async (ctx) => ({ message: `Order ${ctx.params.id} cancelled` }));
  // @ts-expect-error: no such param
  defineAction('ordering.orders.cancel', async (ctx) => ({ message: `Order ${ctx.params.order_id} cancelled` }));
  // @ts-expect-error: an answer of another shape than the result
  defineAction('ordering.orders.cancel', async () => ({ message: 1 }));
  // @ts-expect-error: an action no contract has
  defineAction('ordering.orders.archive', unreachable);
}

/** Ordering's whole action table, each entry implementing its own action. */
const orderingTable = {
  'orders.list': defineAction('ordering.orders.list', unreachable),
  'orders.get': defineAction('ordering.orders.get', unreachable),
  'orders.create': defineAction('ordering.orders.create', unreachable),
  'orders.update': defineAction('ordering.orders.update', unreachable),
  'orders.cancel': defineAction('ordering.orders.cancel', unreachable),
  'orders.cancelForEvent': defineAction('ordering.orders.cancelForEvent', unreachable),
  'orders.pay': defineAction('ordering.orders.pay', unreachable),
  'orders.refund': defineAction('ordering.orders.refund', unreachable),
  'orders.addUnit': defineAction('ordering.orders.addUnit', unreachable),
  'orders.removeUnit': defineAction('ordering.orders.removeUnit', unreachable),
  'orders.payCash': defineAction('ordering.orders.payCash', unreachable),
  'orders.payments': defineAction('ordering.orders.payments', unreachable),
  'payments.get': defineAction('ordering.payments.get', unreachable),
  'payments.settle': defineAction('ordering.payments.settle', unreachable),
  'payments.stripeWebhook': defineAction('ordering.payments.stripeWebhook', unreachable),
  'payments.paynowResult': defineAction('ordering.payments.paynowResult', unreachable),
};

export function actionTables() {
  defineService({ contract: orderingContract, migrations: [], actions: () => orderingTable });
  const { 'orders.refund': _refund, ...withoutRefund } = orderingTable;
  // @ts-expect-error: an action of the contract left out
  defineService({ contract: orderingContract, migrations: [], actions: () => withoutRefund });
  defineService({
    contract: orderingContract,
    migrations: [],
    // @ts-expect-error: an action the contract does not have
    actions: () => ({ ...orderingTable, 'orders.archive': defineAction('ordering.orders.cancel', unreachable) }),
  });
  defineService({
    contract: orderingContract,
    migrations: [],
    // @ts-expect-error: one action's handler under another's name (its params and result differ)
    actions: () => ({ ...orderingTable, 'orders.get': defineAction('ordering.orders.list', unreachable) }),
  });
}

export async function events() {
  const catalogEvents = serviceEvents('catalog');
  await catalogEvents.record(trx, 'catalog.event.deleted', { id: 1, organizer_id: 2 });
  // @ts-expect-error: another service's event: each event is recorded by the service that owns it
  await catalogEvents.record(trx, 'ordering.order.paid', { id: 1 });
  // @ts-expect-error: a payload of another shape than the event's latest version
  await catalogEvents.record(trx, 'catalog.event.deleted', { id: 1 });
  catalogEvents.entry('catalog.ticket_type.created', {
    id: 1,
    event_id: 2,
    name: 'A',
    // @ts-expect-error: money is decimal text made by toDecimalText/decimalText, not any string
    price: '9.99',
    currency: 'USD',
    quantity: 1,
  });

  // A consumer sees each event in exactly the versions it accepts.
  feed('names', { 'identity.user.updated': [1, 2] }, async ({ data }) => {
    // @ts-expect-error: version 1 has no token_version, so reading it must first tell the versions apart
    void data.token_version;
    if ('token_version' in data) void data.token_version;
  });
  feed('revocations', { 'identity.user.updated': [2] }, async ({ data }) => void data.token_version);
  // @ts-expect-error: a version the event never had
  feed('future', { 'identity.user.updated': [4] }, unreachable);
  const envelope = {} as AcceptedEnvelope<{ 'catalog.event.deleted': readonly [1] }>;
  return envelope.data.organizer_id;
}

export function standIns() {
  standInService('identity', {
    'users.names': async (ctx) => ctx.params.ids.map((id) => ({ id, firstname: 'A', surname: 'B' })),
  });
  // @ts-expect-error: an answer for an action the contract does not have
  standInService('identity', { 'users.rename': async () => null });
  // @ts-expect-error: an answer of another shape than the action's result
  standInService('identity', { 'users.names': async (ctx) => ctx.params.ids });
}

export function contracts() {
  defineContract({
    service: 'reviews',
    actions: {},
    events: { 'reviews.review.posted': versionedEvent({ 1: Type.Object({}) }) },
  });
  // @ts-expect-error: a service owns only events named after it
  defineContract({
    service: 'reviews',
    actions: {},
    events: { 'catalog.review.posted': versionedEvent({ 1: Type.Object({}) }) },
  });
}

describe('contracts', () => {
  it('has one per service, named after it', () => {
    expect(Object.keys(CONTRACTS).sort()).toEqual([...SERVICE_NAMES].sort());
    for (const [service, contract] of Object.entries(CONTRACTS)) expect(contract.service).toBe(service);
  });

  it("holds schemas ajv compiles, for every action's params and result and every event version", () => {
    // The shared schemas results refer to by $id (Organizer, TicketType…), as the gateway registers them.
    const named = Object.values(shared).filter(
      (value) => typeof value === 'object' && value !== null && '$id' in value,
    );
    const compile = (schema: object) => {
      const ajv = createAjv({ coerce: false });
      for (const other of named) if (other !== schema) ajv.addSchema(other as object);
      return ajv.compile(schema);
    };
    for (const contract of Object.values(CONTRACTS)) {
      for (const action of Object.values(contract.actions)) {
        expect(() => compile(action.params)).not.toThrow();
        expect(() => compile(action.result)).not.toThrow();
      }
    }
    for (const definition of Object.values(EVENT_CATALOGUE)) {
      for (const schema of Object.values(definition.versions)) expect(() => compile(schema)).not.toThrow();
    }
  });

  it('gathers every event into the catalogue, each with its latest version', () => {
    expect(EVENT_CATALOGUE['identity.user.updated'].latest).toBe(3);
    expect(Object.keys(EVENT_CATALOGUE['identity.user.updated'].versions)).toEqual(['1', '2', '3']);
    expect(Object.keys(EVENT_CATALOGUE)).toEqual(Object.values(CONTRACTS).flatMap((c) => Object.keys(c.events)));
  });

  it('refuses at run time too an event named after another service, or one without versions', () => {
    const event = versionedEvent({ 1: Type.Object({}) });
    const unchecked = defineContract as (contract: object) => unknown;
    expect(() => unchecked({ service: 'reviews', actions: {}, events: { 'catalog.review.posted': event } })).toThrow(
      'reviews cannot own the event catalog.review.posted',
    );
    expect(() => versionedEvent({})).toThrow('An event needs versions numbered from 1');
  });

  it('states for each action whether repeating it after a timeout is safe', () => {
    expect(catalogContract.actions['inventory.hold']).toMatchObject({ kind: 'write', idempotentOn: 'order_id' });
    expect(identityContract.actions['users.get']).toMatchObject({ kind: 'read' });
    expect(orderingContract.actions['orders.refund'].idempotentOn).toBeUndefined();
    for (const contract of Object.values(CONTRACTS)) {
      for (const [name, action] of Object.entries(contract.actions)) {
        const params = action.params as { properties?: Record<string, unknown> };
        if (action.idempotentOn)
          expect([name, Object.keys(params.properties ?? {})]).toEqual([
            name,
            expect.arrayContaining([action.idempotentOn]),
          ]);
      }
    }
  });
});
