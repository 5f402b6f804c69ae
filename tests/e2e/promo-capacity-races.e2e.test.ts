import { startCluster, type Cluster } from '../support/cluster';
import { isBalanced, readBooks } from '../support/books';
import { login, register, registerMany, type Registered } from '../support/users';
import { type ApiResponse, expectProblem } from '@ticketpro/shared/testing';

jest.setTimeout(600_000);

const BUYERS = 300;
const CODE_BUYERS = 100;
const CODE_USES = 10;
const CAPACITY = 100;
const ADMIN = { email: 'admin@promo-capacity.test', password: 'Admin-Passw0rd-Strong' };
const DAY_MS = 24 * 60 * 60 * 1000;

interface OrderBody {
  id: number;
  user_id: number;
  total_price: number;
  discount: number;
  promo_code: string | null;
  payment_status: string;
}

/**
 * The races of issue 18 over real NATS, through the gateway, with two instances each of catalog
 * and ordering: a 10-use promo code raced by 100 buyers, and three ticket types under a 100-seat
 * event raced by 300. The books (the code's uses, each type's sold and held units, the orders an
 * admin sees) are checked after each race, and again after orders are cancelled or paid.
 */
describe('promo code and event capacity races, two instances each of catalog and ordering', () => {
  let cluster: Cluster;
  let organizer: Registered;
  let adminToken: string;
  let buyers: Registered[];

  beforeAll(async () => {
    cluster = await startCluster('e2e_promo_capacity', { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    await Promise.all([cluster.startService('catalog'), cluster.startService('ordering')]);
    adminToken = (await login(cluster.api, ADMIN.email, ADMIN.password)).access;
    organizer = await register(cluster.api, { role: 'organizer' });
    buyers = await registerMany(cluster.api, BUYERS);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const newEvent = async (name: string, extra: object = {}) => {
    const res = await cluster.api('POST', '/api/v1/events', {
      token: organizer.access,
      body: {
        event_name: `${name} ${Date.now()}`,
        description: 'A night of music, for the races of issue 18',
        location: 'Harare International Conference Centre',
        date: new Date(Date.now() + 30 * DAY_MS).toISOString(),
        ...extra,
      },
    });
    expect(res.status).toBe(201);
    return res.body as { id: number; capacity: number | null };
  };
  const newTicketType = async (eventId: number, name: string, quantity: number, price = 20) => {
    const res = await cluster.api('POST', '/api/v1/tickets/types', {
      token: organizer.access,
      body: { event_id: eventId, name, description: `${name} tickets for the race`, price, quantity },
    });
    expect(res.status).toBe(201);
    return res.body.id as number;
  };
  const ticketType = async (id: number) => (await cluster.api('GET', `/api/v1/tickets/types/${id}`)).body;
  /** Every order of the event, as an admin sees them. */
  const ordersOf = async (eventId: number): Promise<OrderBody[]> => {
    const orders: OrderBody[] = [];
    for (let skip = 0; ; skip += 100) {
      const page = await cluster.api('GET', `/api/v1/orders?event_id=${eventId}&limit=100&skip=${skip}`, {
        token: adminToken,
      });
      orders.push(...page.body.items);
      if (!page.body.has_next) return orders;
    }
  };
  const order = (buyer: Registered, body: object) =>
    cluster.api('POST', '/api/v1/orders', { token: buyer.access, body: { payment_method: 'credit_card', ...body } });
  const cancel = (res: ApiResponse) => cluster.api('DELETE', `/api/v1/orders/${res.body.id}`, { token: adminToken });

  describe(`a ${CODE_USES}-use promo code raced by ${CODE_BUYERS} buyers`, () => {
    let eventId: number;
    let typeId: number;
    let codeId: number;
    const CODE = 'RACE-TEN';
    const uses = async () =>
      (await cluster.api('GET', `/api/v1/events/${eventId}/promo-codes/${codeId}`, { token: organizer.access })).body
        .uses as number;
    /** The books: the code's uses are exactly the discounted live orders, and each took one unit. */
    const expectBooks = async (expectedUses: number) => {
      const live = (await ordersOf(eventId)).filter((o) => ['pending', 'completed'].includes(o.payment_status));
      const discounted = live.filter((o) => o.discount > 0);
      expect(discounted.every((o) => o.promo_code === CODE && o.discount === 4 && o.total_price === 16)).toBe(true);
      expect(discounted).toHaveLength(expectedUses);
      expect(await uses()).toBe(expectedUses);
      const type = await ticketType(typeId);
      expect(type.quantity - type.available_quantity).toBe(live.length);
      // Catalog's sold and live held units are exactly what ordering's paid and pending orders account for.
      const [counted] = await readBooks(cluster.env.DATABASE_URL, eventId);
      expect(isBalanced(counted)).toBe(true);
      expect(counted.sold + counted.live_held).toBe(live.length);
      return { live: live.length, discounted: discounted.length };
    };

    beforeAll(async () => {
      eventId = (await newEvent('Promo race')).id;
      typeId = await newTicketType(eventId, 'Regular', 500);
      const code = await cluster.api('POST', `/api/v1/events/${eventId}/promo-codes`, {
        token: organizer.access,
        body: { code: CODE, percent_off: 20, max_uses: CODE_USES },
      });
      expect(code.status).toBe(201);
      codeId = code.body.id;
    });

    it(`gives exactly ${CODE_USES} discounted orders; the other ${CODE_BUYERS - CODE_USES} get 422 naming the code`, async () => {
      const body = { event_id: eventId, items: [{ ticket_type_id: typeId, quantity: 1 }], promo_code: 'race-ten' };
      const started = performance.now();
      const answers = await Promise.all(buyers.slice(0, CODE_BUYERS).map((b) => order(b, body)));
      const seconds = (performance.now() - started) / 1000;
      const created = answers.filter((a) => a.status === 201);
      const refused = answers.filter((a) => a.status !== 201);
      console.log(
        `promo race: ${CODE_BUYERS} orders with a ${CODE_USES}-use code in ${seconds.toFixed(2)} s: ` +
          `${created.length} created (201), ${refused.filter((a) => a.status === 422).length} refused (422), ` +
          `${refused.filter((a) => a.status !== 422).length} other`,
      );
      expect(created).toHaveLength(CODE_USES);
      for (const res of refused) {
        expectProblem(res, 422);
        expect(res.body.detail).toBe(`Promo code "${'race-ten'}" is used up`);
      }
      for (const res of created) {
        expect(res.body).toMatchObject({ total_price: 16, discount: 4, promo_code: CODE });
        expect(res.body.items).toEqual([{ ticket_type_id: typeId, quantity: 1, unit_price: 20, discount: 4 }]);
      }
      const books = await expectBooks(CODE_USES);
      console.log(
        `promo race books: ${books.discounted} discounted orders, ${books.live} live orders, uses ${CODE_USES}`,
      );
      cancelled = created.slice(0, 3);
      paid = created.slice(3, 5);
    });

    let cancelled: ApiResponse[] = [];
    let paid: ApiResponse[] = [];

    it('gives the uses of cancelled orders back, keeps those of paid ones, and sells them again only once each', async () => {
      for (const res of cancelled) expect((await cancel(res)).status).toBe(200);
      const tokenOf = new Map(buyers.map((b) => [b.id, b.access]));
      for (const res of paid) {
        const pay = await cluster.api('POST', `/api/v1/orders/${res.body.id}/pay`, {
          token: tokenOf.get(res.body.user_id),
        });
        expect(pay.body).toMatchObject({ payment_status: 'completed', total_price: 16 });
      }
      await expectBooks(CODE_USES - cancelled.length);
      const body = { event_id: eventId, items: [{ ticket_type_id: typeId, quantity: 1 }], promo_code: CODE };
      const again = await Promise.all(buyers.slice(CODE_BUYERS, CODE_BUYERS + 20).map((b) => order(b, body)));
      expect(again.filter((a) => a.status === 201)).toHaveLength(cancelled.length);
      await expectBooks(CODE_USES);
    });
  });

  describe(`three ticket types under a ${CAPACITY}-seat event raced by ${BUYERS} buyers`, () => {
    let eventId: number;
    let types: number[];
    /** The books: sold and held units across the types never pass the capacity, and match the live orders. */
    const expectBooks = async () => {
      const rows = await Promise.all(types.map(ticketType));
      const taken = rows.reduce((sum, t) => sum + t.quantity - t.available_quantity, 0);
      const sold = rows.reduce((sum, t) => sum + t.sold_quantity, 0);
      const live = (await ordersOf(eventId)).filter((o) => ['pending', 'completed'].includes(o.payment_status));
      expect(taken).toBeLessThanOrEqual(CAPACITY);
      expect(taken).toBe(live.length);
      // The same from the tables: catalog's sold and live held units agree with ordering's orders, type by type.
      const counted = await readBooks(cluster.env.DATABASE_URL, eventId);
      for (const t of counted) expect(isBalanced(t)).toBe(true);
      expect(counted.reduce((sum, t) => sum + t.sold + t.live_held, 0)).toBe(taken);
      return { taken, sold, live: live.length };
    };

    beforeAll(async () => {
      eventId = (await newEvent('Capacity race', { capacity: CAPACITY })).id;
      types = [
        await newTicketType(eventId, 'Early bird', 60, 15),
        await newTicketType(eventId, 'Regular', 60, 25),
        await newTicketType(eventId, 'VIP lounge', 60, 60),
      ];
    });

    let created: ApiResponse[] = [];

    it(`sells exactly ${CAPACITY} seats across the types; everyone else gets a clean 409`, async () => {
      const started = performance.now();
      const answers = await Promise.all(
        buyers.map((b, i) => order(b, { event_id: eventId, items: [{ ticket_type_id: types[i % 3], quantity: 1 }] })),
      );
      const seconds = (performance.now() - started) / 1000;
      created = answers.filter((a) => a.status === 201);
      const refused = answers.filter((a) => a.status !== 201);
      console.log(
        `capacity race: ${BUYERS} orders for ${CAPACITY} seats in ${seconds.toFixed(2)} s: ` +
          `${created.length} created (201), ${refused.filter((a) => a.status === 409).length} sold out (409), ` +
          `${refused.filter((a) => a.status !== 409).length} other`,
      );
      expect(created).toHaveLength(CAPACITY);
      for (const res of refused) expectProblem(res, 409);
      const books = await expectBooks();
      expect(books.taken).toBe(CAPACITY);
      console.log(`capacity race books: ${books.taken} sold and held of ${CAPACITY}, ${books.live} live orders`);
    });

    it('refuses a capacity below what is sold and held, and never oversells while orders are paid, cancelled and raced again', async () => {
      const lower = await cluster.api('PUT', `/api/v1/events/${eventId}`, {
        token: organizer.access,
        body: { capacity: CAPACITY - 1 },
      });
      expectProblem(lower, 409);
      const tokenOf = new Map(buyers.map((b) => [b.id, b.access]));
      const [toPay, toCancel] = [created.slice(0, 20), created.slice(20, 35)];
      const reRacing = buyers.slice(0, 60);
      const answers = await Promise.all([
        ...toPay.map((res) =>
          cluster.api('POST', `/api/v1/orders/${res.body.id}/pay`, { token: tokenOf.get(res.body.user_id) }),
        ),
        ...toCancel.map(cancel),
        // Racing the cancellations: only the seats they free can be sold.
        ...reRacing.map((b, i) =>
          order(b, { event_id: eventId, items: [{ ticket_type_id: types[i % 3], quantity: 1 }] }),
        ),
      ]);
      const reRaced = answers.slice(toPay.length + toCancel.length);
      for (const res of reRaced.filter((a) => a.status !== 201)) expectProblem(res, 409);
      const reCreated = reRaced.filter((a) => a.status === 201).length;
      const books = await expectBooks();
      expect(books.sold).toBe(toPay.length);
      expect(books.taken).toBe(CAPACITY - toCancel.length + reCreated);
      console.log(
        `capacity race after pay/cancel/re-race: ${reCreated} of ${reRacing.length} racing orders created, ` +
          `${books.taken} sold and held of ${CAPACITY}, ${books.sold} sold`,
      );

      // Seats the cancellations freed that the racers missed are sold now, and not one more.
      const left = CAPACITY - books.taken;
      const after = await Promise.all(
        buyers
          .slice(60, 60 + left + 10)
          .map((b, i) => order(b, { event_id: eventId, items: [{ ticket_type_id: types[i % 3], quantity: 1 }] })),
      );
      expect(after.filter((a) => a.status === 201)).toHaveLength(left);
      for (const res of after.filter((a) => a.status !== 201)) expectProblem(res, 409);
      const full = await expectBooks();
      expect(full.taken).toBe(CAPACITY);
      console.log(
        `capacity race, the freed seats sold after: ${left} of ${left + 10} orders created, ${full.taken} sold and held of ${CAPACITY}`,
      );
    });
  });
});
