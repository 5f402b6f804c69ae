import { startCluster, type Cluster } from '../support/cluster';
import { login, register, type Registered } from '../support/users';
import { type ApiResponse, expectProblem } from '@ticketpro/shared/testing';

jest.setTimeout(300_000);

const BUYERS = 200;
const UNITS = 50;
/** Registrations at a time: each hashes a password with argon2id, which is meant to be slow. */
const REGISTRATION_BATCH = 20;
const ADMIN = { email: 'admin@flash-sale.test', password: 'Admin-Passw0rd-Strong' };

/**
 * A flash sale over real NATS, with two instances each of catalog and ordering competing for
 * the same units: every buyer asks for one of the last units at the same instant.
 */
describe(`flash sale: ${BUYERS} buyers at once for ${UNITS} units, two instances each of catalog and ordering`, () => {
  let cluster: Cluster;
  let organizer: Registered;
  let adminToken: string;
  let buyers: Registered[];
  let ticketTypeId: number;

  beforeAll(async () => {
    cluster = await startCluster('e2e_flash_sale', { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    await Promise.all([cluster.startService('catalog'), cluster.startService('ordering')]);
    adminToken = (await login(cluster.api, ADMIN.email, ADMIN.password)).access;

    organizer = await register(cluster.api, { role: 'organizer' });
    const event = await cluster.api('POST', '/api/v1/events', {
      token: organizer.access,
      body: {
        event_name: `Flash sale ${Date.now()}`,
        description: 'The last tickets of the season, all at once',
        location: 'National Sports Stadium',
        date: new Date(Date.now() + 30 * 24 * 60 * 60 * 1000).toISOString(),
      },
    });
    expect(event.status).toBe(201);
    const ticketType = await cluster.api('POST', '/api/v1/tickets/types', {
      token: organizer.access,
      body: {
        event_id: event.body.id,
        name: 'Terraces',
        description: 'Standing on the terraces, behind the goal',
        price: 19.99,
        quantity: UNITS,
      },
    });
    expect(ticketType.status).toBe(201);
    ticketTypeId = ticketType.body.id;

    buyers = [];
    for (let i = 0; i < BUYERS; i += REGISTRATION_BATCH) {
      const batch = Array.from({ length: Math.min(REGISTRATION_BATCH, BUYERS - i) }, () => register(cluster.api));
      buyers.push(...(await Promise.all(batch)));
    }
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const ticketType = async () => (await cluster.api('GET', `/api/v1/tickets/types/${ticketTypeId}`)).body;
  /** Every order of the sale's event, as an admin sees them: a refused buyer must have none. */
  const ordersOfSale = async (eventId: number) =>
    (await cluster.api('GET', `/api/v1/orders?event_id=${eventId}&limit=100`, { token: adminToken })).body;

  let created: ApiResponse[] = [];

  it(`sells exactly ${UNITS} orders; everyone else gets a clean 409`, async () => {
    const items = [{ ticket_type_id: ticketTypeId, quantity: 1 }];
    const body = { event_id: (await ticketType()).event_id, payment_method: 'credit_card', items };
    const started = performance.now();
    const answers = await Promise.all(
      buyers.map((b) => cluster.api('POST', '/api/v1/orders', { token: b.access, body })),
    );
    const seconds = (performance.now() - started) / 1000;

    created = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status !== 201);
    console.log(
      `flash sale: ${BUYERS} order requests in ${seconds.toFixed(2)} s (${(BUYERS / seconds).toFixed(0)} orders/s), ` +
        `${created.length} created (201), ${refused.filter((a) => a.status === 409).length} sold out (409), ` +
        `${refused.filter((a) => a.status !== 409).length} other`,
    );

    expect(created).toHaveLength(UNITS);
    expect(refused).toHaveLength(BUYERS - UNITS);
    for (const res of refused) expectProblem(res, 409);
    expect(new Set(created.map((a) => a.body.id)).size).toBe(UNITS);
    expect(new Set(created.map((a) => a.body.user_id)).size).toBe(UNITS);
    for (const res of created) expect(res.body).toMatchObject({ payment_status: 'pending', total_price: 19.99 });
    expect(await ticketType()).toMatchObject({ quantity: UNITS, available_quantity: 0, sold_quantity: 0 });
    expect((await ordersOfSale(body.event_id)).total).toBe(UNITS);
  });

  it(`completes all ${UNITS} payments at once and sells exactly ${UNITS} units`, async () => {
    expect(created).toHaveLength(UNITS);
    const tokenOf = new Map(buyers.map((b) => [b.id, b.access]));
    const paid = await Promise.all(
      created.map((res) =>
        cluster.api('POST', `/api/v1/orders/${res.body.id}/pay`, { token: tokenOf.get(res.body.user_id) }),
      ),
    );
    expect(paid.map((p) => p.status)).toEqual(Array(UNITS).fill(200));
    expect(paid.every((p) => p.body.payment_status === 'completed')).toBe(true);
    const sale = await ticketType();
    expect(sale).toMatchObject({ quantity: UNITS, available_quantity: 0, sold_quantity: UNITS });
    const orders = await ordersOfSale(sale.event_id);
    expect(orders.total).toBe(UNITS);
    expect(orders.items.every((o: { payment_status: string }) => o.payment_status === 'completed')).toBe(true);
  });
});
