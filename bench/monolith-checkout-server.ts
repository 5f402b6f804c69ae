import { createPublicKey } from 'node:crypto';
import Fastify from 'fastify';
import jwt from 'jsonwebtoken';
import knexFactory from 'knex';
import { Pool, type PoolClient } from 'pg';
import { CreateOrderBody, createAjv, outboxEntry } from '@ticketpro/shared';
import { HOLD_ITEM, type HeldItem } from '@ticketpro/catalog/src/inventory/hold-inventory';
import { INSERT_ORDER } from '@ticketpro/ordering/src/orders/place-order';
import { serveForBench } from './serve';

/**
 * Checkout's baseline: `POST /api/v1/orders` by one process with fastify and pg, doing for one
 * order what TicketPro does across its processes, and nothing else: verify the bearer token
 * (ES256, the same checks as the gateway), hold the units with catalog's statement, write the
 * order, its items and `ordering.order.created` with ordering's statement, all in one
 * transaction. What one process can do on this machine.
 *
 * It works on copies of catalog's and ordering's tables in a schema of its own (`MONOLITH_SCHEMA`,
 * made afresh at start with the events and ticket types as they are), so that its orders touch
 * neither TicketPro's hot row nor its outbox relay.
 *
 * Env: DATABASE_URL (the database holding the `catalog` and `ordering` schemas), PORT, HOST,
 * DATABASE_POOL_MAX, JWT_PUBLIC_KEY (PEM), JWT_ISSUER, JWT_AUDIENCE, ORDER_HOLD_SECONDS.
 */
const MONOLITH_SCHEMA = 'bench_monolith';
const COPIED_TABLES = { catalog: ['events', 'ticket_types', 'holds'], ordering: ['orders', 'order_items', 'outbox'] };

/**
 * A statement with knex's named bindings (`:name`), compiled once to pg's positional ones: each
 * binding is a marker naming its value, so a request only fills in the values.
 */
function compileNamed(
  sql: string,
  names: string[],
  nested: Record<string, (marker: (n: string) => string) => unknown> = {},
) {
  const knex = knexFactory({ client: 'pg' });
  const marker = (name: string) => `\u0000${name}`;
  const bindings: Record<string, unknown> = Object.fromEntries(names.map((name) => [name, marker(name)]));
  for (const [name, build] of Object.entries(nested)) bindings[name] = build(marker);
  const native = knex.raw(sql, bindings).toSQL().toNative();
  const order = (native.bindings as string[]).map((b) => b.slice(1));
  return { sql: native.sql, values: (values: Record<string, unknown>) => order.map((name) => values[name]) };
}

// Its two statements are prepared (parsed and planned once per connection), as TicketPro's are
// (`prepared()` in the shared kit), so that the comparison is of the same statements.
const holdItem = compileNamed(HOLD_ITEM, [
  'orderId',
  'eventId',
  'ticketTypeId',
  'quantity',
  'orderUnits',
  'expiresAt',
  'userId',
]);
const insertOrder = compileNamed(
  INSERT_ORDER,
  [
    'id',
    'userId',
    'eventId',
    'placedAt',
    'totalPrice',
    'discount',
    'promoCode',
    'currency',
    'paymentMethod',
    'expiresAt',
    'items',
  ],
  {
    created: (marker) =>
      knexFactory({ client: 'pg' })('outbox').insert({
        id: marker('eventId_'),
        name: marker('eventName'),
        envelope: marker('envelope'),
      }),
  },
);

class SoldOut extends Error {}

function problem(status: number, title: string, detail: string) {
  return { type: 'about:blank', title, status, detail };
}

async function copyTables(pool: Pool): Promise<void> {
  const statements = [`DROP SCHEMA IF EXISTS ${MONOLITH_SCHEMA} CASCADE`, `CREATE SCHEMA ${MONOLITH_SCHEMA}`];
  for (const [schema, tables] of Object.entries(COPIED_TABLES)) {
    for (const table of tables) {
      statements.push(`CREATE TABLE ${MONOLITH_SCHEMA}.${table} (LIKE ${schema}.${table} INCLUDING ALL)`);
    }
  }
  // The copy's id column still draws from ordering's sequence, which it does not own.
  statements.push(`CREATE SEQUENCE ${MONOLITH_SCHEMA}.order_ids OWNED BY ${MONOLITH_SCHEMA}.orders.id`);
  statements.push(`SELECT setval('${MONOLITH_SCHEMA}.order_ids', 1000000000)`);
  statements.push(`INSERT INTO ${MONOLITH_SCHEMA}.events SELECT * FROM catalog.events`);
  statements.push(`INSERT INTO ${MONOLITH_SCHEMA}.ticket_types SELECT * FROM catalog.ticket_types`);
  for (const sql of statements) await pool.query(sql);
}

async function placeOrder(
  client: PoolClient,
  userId: number,
  body: CreateOrderBody,
  holdSeconds: number,
): Promise<Record<string, unknown>> {
  await client.query('BEGIN');
  try {
    const { rows: ids } = await client.query<{ id: number }>("SELECT nextval('order_ids')::int AS id");
    const id = ids[0].id;
    const expiresAt = new Date(Date.now() + holdSeconds * 1000).toISOString();
    const held: HeldItem[] = [];
    for (const item of [...body.items].sort((a, b) => a.ticket_type_id - b.ticket_type_id)) {
      const values = {
        orderId: id,
        eventId: body.event_id,
        ticketTypeId: item.ticket_type_id,
        quantity: item.quantity,
        orderUnits: item.quantity,
        expiresAt,
        userId,
      };
      const { rows } = await client.query<HeldItem>({
        name: 'hold_item',
        text: holdItem.sql,
        values: holdItem.values(values),
      });
      if (rows.length === 0) throw new SoldOut();
      held.push(rows[0]);
    }
    const items = held.map((h) => ({
      order_id: id,
      ticket_type_id: h.ticket_type_id,
      quantity: h.quantity,
      unit_price: h.unit_price,
      discount: '0.00',
    }));
    const totalPrice = held[held.length - 1].order_total;
    const currency = held[0].currency;
    const event = outboxEntry('ordering.order.created', {
      id,
      user_id: userId,
      event_id: body.event_id,
      total_price: totalPrice,
      currency,
      payment_method: body.payment_method,
      payment_status: 'pending',
      expires_at: expiresAt,
      items: items.map(({ ticket_type_id, quantity, unit_price }) => ({ ticket_type_id, quantity, unit_price })),
    });
    const { rows } = await client.query({
      name: 'insert_order',
      text: insertOrder.sql,
      values: insertOrder.values({
        id,
        userId,
        eventId: body.event_id,
        placedAt: new Date(),
        totalPrice,
        // The monolith's checkout takes no promo codes.
        discount: '0.00',
        promoCode: null,
        currency,
        paymentMethod: body.payment_method,
        expiresAt,
        items: JSON.stringify(items),
        eventId_: event.id,
        eventName: event.name,
        envelope: JSON.stringify(event.envelope),
      }),
    });
    await client.query('COMMIT');
    return { ...rows[0], items };
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}

async function main(): Promise<void> {
  const env = process.env;
  const publicKey = createPublicKey((env.JWT_PUBLIC_KEY ?? '').replace(/\\n/g, '\n'));
  const verifyOptions = {
    algorithms: ['ES256' as const],
    issuer: env.JWT_ISSUER ?? 'ticketpro-identity',
    audience: env.JWT_AUDIENCE ?? 'ticketpro-api',
  };
  const holdSeconds = Number(env.ORDER_HOLD_SECONDS ?? 900);
  const pool = new Pool({
    connectionString: env.DATABASE_URL,
    max: Number(env.DATABASE_POOL_MAX ?? 10),
    options: `-c search_path=${MONOLITH_SCHEMA}`,
  });
  await copyTables(pool);

  const app = Fastify();
  // The gateway's validator: the body schema carries its keywords (`errorMessage`).
  const ajv = createAjv({ coerce: false });
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  app.post<{ Body: CreateOrderBody }>(
    '/api/v1/orders',
    { schema: { body: CreateOrderBody } },
    async (request, reply) => {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      let userId: number;
      try {
        const claims = jwt.verify(token ?? '', publicKey, verifyOptions) as jwt.JwtPayload;
        userId = Number(claims.sub);
      } catch {
        return reply
          .code(401)
          .type('application/problem+json')
          .send(problem(401, 'Unauthorized', 'Invalid token'));
      }
      const client = await pool.connect();
      try {
        return reply.code(201).send(await placeOrder(client, userId, request.body, holdSeconds));
      } catch (err) {
        if (!(err instanceof SoldOut)) throw err;
        return reply
          .code(409)
          .type('application/problem+json')
          .send(problem(409, 'Conflict', 'Sold out'));
      } finally {
        client.release();
      }
    },
  );
  await serveForBench('monolith', app, pool);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
