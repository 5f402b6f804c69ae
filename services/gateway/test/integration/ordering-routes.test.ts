import { ConflictError, BadRequestError, NotFoundError, type ActionOf } from '@ticketpro/shared';
import { IdentityStandIn, gatewayForFile, refusalCheck } from '../support/gateway';
import { ORDER_VIEW, OrderingStandIn, SAMPLE_TRANSACTION } from '../support/ordering';
import { expectProblem } from '@ticketpro/shared/testing';

/** Each orders and payments route calls its ordering action with the params and meta the contract fixes. */
describe('gateway: ordering routes', () => {
  const identity = new IdentityStandIn();
  const ordering = new OrderingStandIn();
  const [key] = identity.signingKeys;
  const gw = gatewayForFile(identity, ordering);
  const expectRefused = refusalCheck(gw, ordering);

  const buyer = () => key.sign({ sub: '42', role: 'user' });
  const callsTo = (action: ActionOf<'ordering'>) => ordering.callsOf(action).length;
  const newOrder = { event_id: 7, payment_method: 'ecocash', items: [{ ticket_type_id: 11, quantity: 3 }] };

  describe('orders', () => {
    it("lists the caller's orders with default paging, without internal fields", async () => {
      const res = await gw.api('GET', '/api/v1/orders', { token: buyer() });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: [ORDER_VIEW], total: 1, skip: 0, limit: 20, has_next: false, has_prev: false });
      const call = ordering.lastCall('ordering.orders.list');
      expect(call.params).toEqual({ skip: 0, limit: 20 });
      expect(call.meta.user).toEqual({ id: 42, role: 'user' });
    });

    it('passes every filter on with its type', async () => {
      const query =
        'event_id=7&payment_status=completed&from_date=2027-02-01&to_date=2027-02-28T23:59:59Z&skip=5&limit=100';
      expect((await gw.api('GET', `/api/v1/orders?${query}`, { token: buyer() })).status).toBe(200);
      expect(ordering.lastCall('ordering.orders.list').params).toEqual({
        event_id: 7,
        payment_status: 'completed',
        from_date: '2027-02-01',
        to_date: '2027-02-28T23:59:59Z',
        skip: 5,
        limit: 100,
      });
    });

    it.each([
      ['event_id=abc', 'event_id'],
      ['event_id=0', 'event_id'],
      ['payment_status=paid', 'payment_status'],
      ['from_date=yesterday', 'from_date'],
      ['limit=101', 'limit'],
      ['skip=-1', 'skip'],
      ['user_id=3', 'user_id'],
    ])('answers 422 for the query %s, naming %s, without calling ordering', async (query, field) => {
      await expectRefused('GET', `/api/v1/orders?${query}`, 'ordering.orders.list', { token: buyer() }, 422, field);
    });

    it('gets one order by numeric id', async () => {
      const res = await gw.api('GET', '/api/v1/orders/31', { token: buyer() });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(ORDER_VIEW);
      expect(ordering.lastCall('ordering.orders.get').params).toEqual({ id: 31 });
    });

    it.each(['abc', '0', '-3', '1.5', '99999999999'])('answers 422 for the order id %s on every route', async (id) => {
      const token = buyer();
      const path = `/api/v1/orders/${id}`;
      await expectRefused('GET', path, 'ordering.orders.get', { token }, 422, 'id');
      await expectRefused(
        'PUT',
        path,
        'ordering.orders.update',
        { token, body: { payment_method: 'cash' } },
        422,
        'id',
      );
      await expectRefused('DELETE', path, 'ordering.orders.cancel', { token }, 422, 'id');
      await expectRefused('POST', `${path}/pay`, 'ordering.orders.pay', { token }, 422, 'id');
      await expectRefused('POST', `${path}/refund`, 'ordering.orders.refund', { token }, 422, 'id');
    });

    it('passes a promo code on as the buyer typed it', async () => {
      const res = await gw.api('POST', '/api/v1/orders', {
        token: buyer(),
        body: { ...newOrder, promo_code: 'jazz-10' },
      });
      expect(res.status).toBe(201);
      expect(ordering.lastCall('ordering.orders.create').params).toEqual({ ...newOrder, promo_code: 'jazz-10' });
    });

    it('creates an order: 201, the body as params, the buyer in meta, no idempotency key unless sent', async () => {
      const res = await gw.api('POST', '/api/v1/orders', { token: buyer(), body: newOrder });
      expect(res.status).toBe(201);
      expect(res.body).toEqual(ORDER_VIEW);
      const call = ordering.lastCall('ordering.orders.create');
      expect(call.params).toEqual(newOrder);
      expect(call.meta.user).toEqual({ id: 42, role: 'user' });
    });

    it('passes the Idempotency-Key header on as idempotency_key, whatever its letter case', async () => {
      await gw.api('POST', '/api/v1/orders', {
        token: buyer(),
        body: newOrder,
        headers: { 'Idempotency-Key': 'a1-B2_c3:~!' },
      });
      expect(ordering.lastCall('ordering.orders.create').params).toEqual({
        ...newOrder,
        idempotency_key: 'a1-B2_c3:~!',
      });
      await gw.api('POST', '/api/v1/orders', {
        token: buyer(),
        body: newOrder,
        headers: { 'idempotency-key': 'k'.repeat(255) },
      });
      expect(ordering.lastCall('ordering.orders.create').params.idempotency_key).toBe('k'.repeat(255));
    });

    it.each([
      ['too long', 'k'.repeat(256)],
      ['with a space', 'retry 1'],
      ['empty', ''],
    ])('answers 422 for an Idempotency-Key that is %s, on create and pay', async (_what, value) => {
      const options = { token: buyer(), headers: { 'Idempotency-Key': value } };
      await expectRefused(
        'POST',
        '/api/v1/orders',
        'ordering.orders.create',
        { ...options, body: newOrder },
        422,
        'idempotency-key',
      );
      await expectRefused('POST', '/api/v1/orders/31/pay', 'ordering.orders.pay', options, 422, 'idempotency-key');
    });

    it.each([
      ['a client-set total price', { total_price: 0.01 }, 'total_price'],
      ['a client-set payment status', { payment_status: 'completed' }, 'payment_status'],
      ['a client-set owner', { user_id: 1 }, 'user_id'],
      ['an unknown payment method', { payment_method: 'bitcoin' }, 'payment_method'],
      ['a non-numeric event', { event_id: 'seven' }, 'event_id'],
      ['no items', { items: [] }, 'items'],
      ['a zero quantity', { items: [{ ticket_type_id: 11, quantity: 0 }] }, 'items.0.quantity'],
      ['a fractional quantity', { items: [{ ticket_type_id: 11, quantity: 1.5 }] }, 'items.0.quantity'],
      [
        'a client-set unit price',
        { items: [{ ticket_type_id: 11, quantity: 1, unit_price: 0 }] },
        'items.0.unit_price',
      ],
      ['a NUL byte in the promo code', { promo_code: 'SAVE\u000010' }, 'promo_code'],
      ['a promo code too long', { promo_code: 'X'.repeat(41) }, 'promo_code'],
      ['a promo code of another type', { promo_code: 10 }, 'promo_code'],
      ['a client-set discount', { discount: 5 }, 'discount'],
    ])('refuses to create an order with %s (422)', async (_what, change, field) => {
      const body = { ...newOrder, ...change };
      await expectRefused('POST', '/api/v1/orders', 'ordering.orders.create', { token: buyer(), body }, 422, field);
    });

    it('refuses to create an order with a missing field (422) or malformed JSON (400)', async () => {
      const { items: _items, ...body } = newOrder;
      await expectRefused('POST', '/api/v1/orders', 'ordering.orders.create', { token: buyer(), body }, 422, 'items');
      const before = callsTo('ordering.orders.create');
      expectProblem(await gw.api('POST', '/api/v1/orders', { token: buyer(), raw: '{"event_id": ' }), 400);
      expect(callsTo('ordering.orders.create')).toBe(before);
    });

    it('passes ordering problems on: sold out is 409, a missing order 404', async () => {
      ordering.failure = new ConflictError('Not enough tickets left');
      const soldOut = await gw.api('POST', '/api/v1/orders', { token: buyer(), body: newOrder });
      expectProblem(soldOut, 409);
      expect(soldOut.body.detail).toBe('Not enough tickets left');
      ordering.failure = new NotFoundError('Order not found');
      expectProblem(await gw.api('GET', '/api/v1/orders/31', { token: buyer() }), 404);
    });

    it('updates an order: the id from the path, the changes from the body', async () => {
      const res = await gw.api('PUT', '/api/v1/orders/31', { token: buyer(), body: { payment_method: 'paypal' } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...ORDER_VIEW, payment_method: 'paypal' });
      expect(ordering.lastCall('ordering.orders.update').params).toEqual({ id: 31, payment_method: 'paypal' });
    });

    it.each([
      ['nothing to change', {}, '(body)'],
      ['a total price', { total_price: 1 }, 'total_price'],
      ['an unknown status', { payment_status: 'paid' }, 'payment_status'],
      ['another id', { id: 32 }, 'id'],
    ])('refuses an update with %s (422)', async (_what, body, field) => {
      await expectRefused('PUT', '/api/v1/orders/31', 'ordering.orders.update', { token: buyer(), body }, 422, field);
    });

    it('cancels an order: 200 with the message', async () => {
      const res = await gw.api('DELETE', '/api/v1/orders/31', { token: buyer() });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'Order cancelled' });
      expect(ordering.lastCall('ordering.orders.cancel').params).toEqual({ id: 31 });
    });

    it('pays an order with no body at all, or an empty one', async () => {
      const res = await gw.api('POST', '/api/v1/orders/31/pay', { token: buyer() });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...ORDER_VIEW, payment_status: 'completed', expires_at: null });
      expect(ordering.lastCall('ordering.orders.pay').params).toEqual({ id: 31 });

      expect((await gw.api('POST', '/api/v1/orders/31/pay', { token: buyer(), body: {} })).status).toBe(200);
      expect(ordering.lastCall('ordering.orders.pay').params).toEqual({ id: 31 });
    });

    it('passes a request to decline and the Idempotency-Key on to pay', async () => {
      const headers = { 'Idempotency-Key': 'pay-31' };
      expect(
        (await gw.api('POST', '/api/v1/orders/31/pay', { token: buyer(), body: { fail: true }, headers })).status,
      ).toBe(200);
      expect(ordering.lastCall('ordering.orders.pay').params).toEqual({
        id: 31,
        fail: true,
        idempotency_key: 'pay-31',
      });
    });

    it.each([
      ['an unknown field', { amount: 59.97 }, 'amount'],
      ['another order', { id: 32 }, 'id'],
      ['fail as text', { fail: 'yes' }, 'fail'],
    ])('refuses to pay with %s in the body (422)', async (_what, body, field) => {
      await expectRefused('POST', '/api/v1/orders/31/pay', 'ordering.orders.pay', { token: buyer(), body }, 422, field);
    });

    it('refuses to pay with a body that is not JSON (415)', async () => {
      const before = callsTo('ordering.orders.pay');
      const res = await fetch(`${gw.baseUrl}/api/v1/orders/31/pay`, {
        method: 'POST',
        headers: { authorization: `Bearer ${buyer()}`, 'content-type': 'text/plain' },
        body: 'fail',
      });
      expect(res.status).toBe(415);
      expect(callsTo('ordering.orders.pay')).toBe(before);
    });

    it('refunds an order: the id from the path', async () => {
      const admin = key.sign({ sub: '1', role: 'admin' });
      const res = await gw.api('POST', '/api/v1/orders/31/refund', { token: admin });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...ORDER_VIEW, payment_status: 'refunded', expires_at: null });
      const call = ordering.lastCall('ordering.orders.refund');
      expect(call.params).toEqual({ id: 31 });
      expect(call.meta.user).toEqual({ id: 1, role: 'admin' });
    });

    it('refunds some tickets: ticket_ids from the body, refusing bad ones (422) without calling ordering', async () => {
      const admin = key.sign({ sub: '1', role: 'admin' });
      const res = await gw.api('POST', '/api/v1/orders/31/refund', { token: admin, body: { ticket_ids: [501, 502] } });
      expect(res.status).toBe(200);
      expect(ordering.lastCall('ordering.orders.refund').params).toEqual({ id: 31, ticket_ids: [501, 502] });
      for (const body of [
        { ticket_ids: [] },
        { ticket_ids: [501, 501] },
        { ticket_ids: [0] },
        { ticket_ids: [2 ** 31] },
        { ticket_ids: ['501\u0000'] },
        { ticket_ids: [501], amount: 10 },
      ]) {
        await expectRefused('POST', '/api/v1/orders/31/refund', 'ordering.orders.refund', { token: admin, body }, 422);
      }
    });

    it('answers a payment awaited at its provider with 202 and the instructions', async () => {
      const payment = { id: 76, provider: 'paynow', status: 'awaiting_confirmation', instructions: 'Dial *151#' };
      ordering.awaitedPayment = payment;
      const res = await gw
        .api('POST', '/api/v1/orders/31/pay', { token: buyer(), body: { phone: '0771234567' } })
        .finally(() => (ordering.awaitedPayment = undefined));
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ ...ORDER_VIEW, payment });
      expect(ordering.lastCall('ordering.orders.pay').params).toEqual({ id: 31, phone: '0771234567' });
      await expectRefused(
        'POST',
        '/api/v1/orders/31/pay',
        'ordering.orders.pay',
        { token: buyer(), body: { phone: '12' } },
        422,
      );
    });

    it('records cash: the amount from the body, refusing a server-owned field, NUL or out of range (422)', async () => {
      const organizer = key.sign({ sub: '9', role: 'organizer' });
      const res = await gw.api('POST', '/api/v1/orders/31/payments/cash', {
        token: organizer,
        body: { amount: 59.97 },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ payment_status: 'completed' });
      const call = ordering.lastCall('ordering.orders.payCash');
      expect(call.params).toEqual({ id: 31, amount: 59.97 });
      expect(call.meta.user).toEqual({ id: 9, role: 'organizer' });
      for (const body of [
        { amount: 59.97, recorded_by: 1 },
        { amount: -1 },
        { amount: 1e9 },
        { amount: 59.97, note: 'till\u0000' },
        {},
      ]) {
        await expectRefused(
          'POST',
          '/api/v1/orders/31/payments/cash',
          'ordering.orders.payCash',
          { token: organizer, body },
          422,
        );
      }
    });

    it("reads the order's ledger and one row, and settles an owed refund", async () => {
      const ledger = await gw.api('GET', '/api/v1/orders/31/payments', { token: buyer() });
      expect(ledger.status).toBe(200);
      expect(ledger.body).toEqual([SAMPLE_TRANSACTION]);
      const row = await gw.api('GET', '/api/v1/payments/transactions/77', { token: buyer() });
      expect(row.body).toEqual(SAMPLE_TRANSACTION);
      const settled = await gw.api('POST', '/api/v1/payments/transactions/77/settle', { token: buyer() });
      expect(settled.status).toBe(200);
      expect(settled.body).toMatchObject({ id: 77, state: 'refunded' });
      expect(ordering.lastCall('ordering.payments.settle').params).toEqual({ id: 77 });
      await expectRefused('GET', '/api/v1/payments/transactions/0', 'ordering.payments.get', { token: buyer() }, 422);
      await expectRefused('GET', '/api/v1/payments/transactions/77', 'ordering.payments.get', {}, 401);
      await expectRefused('POST', '/api/v1/payments/transactions/77/settle', 'ordering.payments.settle', {}, 401);
    });

    it('requires a valid token on every route', async () => {
      for (const token of [undefined, 'not.a.jwt', key.sign({ exp: Math.floor(Date.now() / 1000) - 5 })]) {
        await expectRefused('GET', '/api/v1/orders', 'ordering.orders.list', { token }, 401);
        await expectRefused('GET', '/api/v1/orders/31', 'ordering.orders.get', { token }, 401);
        await expectRefused('POST', '/api/v1/orders', 'ordering.orders.create', { token, body: newOrder }, 401);
        await expectRefused(
          'PUT',
          '/api/v1/orders/31',
          'ordering.orders.update',
          { token, body: { payment_method: 'cash' } },
          401,
        );
        await expectRefused('DELETE', '/api/v1/orders/31', 'ordering.orders.cancel', { token }, 401);
        await expectRefused('POST', '/api/v1/orders/31/pay', 'ordering.orders.pay', { token }, 401);
        await expectRefused('POST', '/api/v1/orders/31/refund', 'ordering.orders.refund', { token }, 401);
      }
    });
  });

  describe('Stripe webhook', () => {
    const path = '/api/v1/payments/webhooks/stripe';
    // Spacing and key order as Stripe sent them: re-serialising would break the signature.
    const payload = '{\n  "id": "evt_1",\n  "type": "payment_intent.succeeded",  "data": {"object": {"id": "pi_1"}}\n}';
    const signature = 't=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd';
    const post = (body: string, headers: Record<string, string>) =>
      fetch(`${gw.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });

    it('passes the body on byte for byte, with the signature, without a token', async () => {
      const res = await post(payload, { 'Stripe-Signature': signature });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ received: true });
      const call = ordering.lastCall('ordering.payments.stripeWebhook');
      expect(call.params).toEqual({ payload, signature });
      expect(call.meta.user).toBeUndefined();
    });

    it('leaves a body that is not JSON for the signature check to refuse', async () => {
      ordering.failure = new BadRequestError('Invalid Stripe signature');
      const res = await post('{"id": ', {
        'Stripe-Signature': signature,
        'content-type': 'application/json; charset=utf-8',
      });
      expect(res.status).toBe(400);
      expect(ordering.lastCall('ordering.payments.stripeWebhook').params).toEqual({ payload: '{"id": ', signature });
      expect(((await res.json()) as { detail: string }).detail).toBe('Invalid Stripe signature');
    });

    it('answers 400 without a Stripe-Signature header, without calling ordering', async () => {
      const before = callsTo('ordering.payments.stripeWebhook');
      const res = await post(payload, {});
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/Stripe-Signature/);
      expect(callsTo('ordering.payments.stripeWebhook')).toBe(before);
    });

    it('answers 415 for a body that is not JSON', async () => {
      const before = callsTo('ordering.payments.stripeWebhook');
      expect((await post(payload, { 'Stripe-Signature': signature, 'content-type': 'text/plain' })).status).toBe(415);
      expect(callsTo('ordering.payments.stripeWebhook')).toBe(before);
    });
  });

  describe('Paynow result callback', () => {
    it("passes the form's fields on in the order Paynow sent them, without a token", async () => {
      const form =
        'reference=TP-76&paynowreference=100001&amount=59.97&status=Paid&pollurl=https%3A%2F%2Fx%2Fp&hash=AB12';
      const res = await fetch(`${gw.baseUrl}/api/v1/payments/webhooks/paynow`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ received: true });
      const call = ordering.lastCall('ordering.payments.paynowResult');
      expect(Object.entries(call.params.fields as Record<string, string>)).toEqual([
        ...new URLSearchParams(form).entries(),
      ]);
      expect(call.meta.user).toBeUndefined();
    });

    it('passes a refusal on (forged hash: 400)', async () => {
      ordering.failure = new BadRequestError('The Paynow status update is not signed with our key');
      const res = await fetch(`${gw.baseUrl}/api/v1/payments/webhooks/paynow`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'reference=TP-76&status=Paid&hash=00',
      });
      expect(res.status).toBe(400);
    });
  });

  describe('OpenAPI', () => {
    let doc: any;
    beforeAll(async () => {
      doc = (await gw.api('GET', '/api/openapi.json')).body;
    });

    it('describes orders by the shared Order schema, tagged orders, behind a token', () => {
      const success = (path: string, method: string, status: number) =>
        doc.paths[path][method].responses[status].content['application/json'].schema;
      expect(Object.keys(doc.components.schemas)).toContain('Order');
      expect(success('/api/v1/orders', 'get', 200).properties.items.items).toEqual({
        $ref: '#/components/schemas/Order',
      });
      expect(success('/api/v1/orders', 'post', 201)).toEqual({ $ref: '#/components/schemas/Order' });
      expect(success('/api/v1/orders/{id}/pay', 'post', 200)).toEqual({ $ref: '#/components/schemas/Order' });
      const operations = [
        ['get', '/api/v1/orders'],
        ['post', '/api/v1/orders'],
        ['get', '/api/v1/orders/{id}'],
        ['put', '/api/v1/orders/{id}'],
        ['delete', '/api/v1/orders/{id}'],
        ['post', '/api/v1/orders/{id}/pay'],
        ['post', '/api/v1/orders/{id}/refund'],
      ];
      for (const [method, path] of operations) {
        const op = doc.paths[path][method];
        expect(op.tags).toEqual(['orders']);
        expect(op.security).toEqual([{ OAuth2PasswordBearer: [] }, { BearerAuth: [] }]);
        expect(op.responses['401'].content['application/problem+json'].schema).toEqual({
          $ref: '#/components/schemas/Problem',
        });
      }
      expect(doc.paths['/api/v1/orders'].post.responses['409']).toBeDefined();
      expect(doc.paths['/api/v1/orders/{id}/refund'].post.responses['403']).toBeDefined();
      expect(doc.paths['/api/v1/orders/{id}/refund'].post.description).toMatch(/^A used ticket is never refunded/);
      expect(doc.paths['/api/v1/orders'].post.description).toMatch(
        /^One account may hold at most `MAX_PENDING_ORDERS_PER_USER`/,
      );
      expect(doc.tags.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['orders', 'payments']));
    });

    it('documents the Idempotency-Key header on create and pay', () => {
      for (const path of ['/api/v1/orders', '/api/v1/orders/{id}/pay']) {
        const header = doc.paths[path].post.parameters.find((p: { in: string }) => p.in === 'header');
        expect(header).toMatchObject({ name: 'idempotency-key', required: false, schema: { maxLength: 255 } });
      }
    });

    it('documents the payment routes: 202 on pay, the refund rule, the ledger and the Paynow callback', () => {
      expect(doc.paths['/api/v1/orders/{id}/pay'].post.responses['202']).toBeDefined();
      expect(doc.paths['/api/v1/orders/{id}/refund'].post.description).toMatch(/A used ticket is never refunded/);
      expect(doc.paths['/api/v1/orders/{id}/refund'].post.requestBody).toBeDefined();
      for (const [path, method] of [
        ['/api/v1/orders/{id}/payments/cash', 'post'],
        ['/api/v1/orders/{id}/payments', 'get'],
        ['/api/v1/payments/transactions/{id}', 'get'],
        ['/api/v1/payments/transactions/{id}/settle', 'post'],
        ['/api/v1/payments/webhooks/paynow', 'post'],
      ]) {
        expect(doc.paths[path][method].description).toEqual(expect.any(String));
      }
      expect(doc.paths['/api/v1/payments/webhooks/paynow'].post.security).toEqual([]);
    });

    it('documents the webhook as public, with its signature header and 400', () => {
      const op = doc.paths['/api/v1/payments/webhooks/stripe'].post;
      expect(op.tags).toEqual(['payments']);
      expect(op.security).toEqual([]);
      expect(op.parameters).toEqual([
        expect.objectContaining({ name: 'stripe-signature', in: 'header', required: true }),
      ]);
      expect(op.responses['400']).toBeDefined();
    });
  });
});
