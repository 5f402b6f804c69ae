import { MAX_SKIP } from '@ticketpro/shared';
import { IdentityStandIn, startGateway, type Gateway } from '../support/gateway';
import { expectProblem } from '@ticketpro/shared/testing';

interface Operation {
  parameters?: { in: string; name: string; schema: { type?: string } }[];
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, { type?: string }> } }> };
}

const NUL = 'must not contain NUL (U+0000) characters';
const LONE_SURROGATE = 'must not contain unpaired UTF-16 surrogates';
const NOT_UTF8 = 'must be UTF-8: an unpaired surrogate or a byte that is no character';
const METHODS = ['get', 'post', 'put', 'delete'] as const;

/**
 * Input that JSON Schema lets through but the database cannot take: NUL bytes, unpaired
 * surrogates, and page offsets beyond any number Postgres offsets by. Every route of the
 * OpenAPI document is tried, so a route added later is covered without a line here.
 */
describe('gateway: malformed text and paging on every route', () => {
  const identity = new IdentityStandIn();
  const admin = identity.signingKeys[0].sign({ sub: '1', role: 'admin' });
  let gw: Gateway;
  const operations: { method: string; path: string; operation: Operation }[] = [];

  beforeAll(async () => {
    gw = await startGateway([identity.schema()], {
      RATE_LIMIT_REGISTER: 0,
      RATE_LIMIT_LOGIN: 0,
      RATE_LIMIT_REFRESH: 0,
    });
    const doc = (await gw.api('GET', '/api/openapi.json')).body;
    for (const [path, item] of Object.entries<Record<string, Operation>>(doc.paths)) {
      if (!path.startsWith('/api/v1/')) continue;
      for (const method of METHODS) if (item[method]) operations.push({ method, path, operation: item[method] });
    }
  });
  afterAll(() => gw.close());

  const concrete = (path: string) => path.replace(/\{[^}]+\}/g, '1');
  const call = (method: string, path: string, body?: unknown) =>
    gw.api(method.toUpperCase(), path, { token: admin, ...(body === undefined ? {} : { body }) });

  const withQuery = (name: string) =>
    operations.filter(({ operation }) => operation.parameters?.some((p) => p.in === 'query' && p.name === name));

  it('finds the list endpoints of every service', () => {
    const lists = withQuery('skip').map(({ method, path }) => `${method} ${path}`);
    expect(lists).toEqual(
      expect.arrayContaining([
        'get /api/v1/users',
        'get /api/v1/events',
        'get /api/v1/tickets/types',
        'get /api/v1/tickets',
        'get /api/v1/orders',
      ]),
    );
  });

  it.each(['Infinity', '1e20', '99999999999999999999', String(MAX_SKIP + 1)])(
    'answers 422 naming skip for skip=%s on every list endpoint, without calling a service',
    async (skip) => {
      for (const { method, path } of withQuery('skip')) {
        const res = await call(method, `${concrete(path)}?skip=${skip}`);
        expectProblem(res, 422);
        expect(res.body.errors).toEqual([{ field: 'skip', message: `must be <= ${MAX_SKIP}` }]);
      }
      expect(identity.callsOf('identity.users.list')).toHaveLength(0);
    },
  );

  it('answers 422 naming the parameter for a %00 in any text query parameter', async () => {
    let tried = 0;
    for (const { method, path, operation } of operations) {
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in !== 'query' || parameter.schema.type === 'integer' || parameter.schema.type === 'boolean')
          continue;
        const res = await call(method, `${concrete(path)}?${parameter.name}=a%00b`);
        expectProblem(res, 422);
        expect(res.body.errors).toEqual(expect.arrayContaining([{ field: parameter.name, message: NUL }]));
        tried++;
      }
    }
    // search and location on events, search and role on users, the date filters, format of the QR…
    expect(tried).toBeGreaterThanOrEqual(8);
  });

  it('answers 422 naming the field for a NUL, and for an unpaired surrogate, in any string field of any body', async () => {
    let tried = 0;
    for (const { method, path, operation } of operations) {
      const schema = operation.requestBody?.content['application/json']?.schema;
      for (const [field, property] of Object.entries(schema?.properties ?? {})) {
        if (property.type !== 'string') continue;
        for (const [text, message] of [
          ['a\u0000b', NUL],
          ['\ud83c', LONE_SURROGATE],
        ]) {
          const res = await call(method, concrete(path), { [field]: text });
          expectProblem(res, 422);
          expect(res.body.errors).toEqual(expect.arrayContaining([{ field, message }]));
        }
        tried++;
      }
    }
    expect(tried).toBeGreaterThanOrEqual(20);
    const served = identity.calls.filter((c) => !['identity.keys', 'identity.tokens.revocations'].includes(c.action));
    expect(served).toEqual([]);
  });

  it('answers 422 to a JSON body whose bytes are not UTF-8 (an unpaired surrogate written out), on any route', async () => {
    const before = identity.calls.length;
    let tried = 0;
    for (const { method, path, operation } of operations) {
      const schema = operation.requestBody?.content['application/json']?.schema;
      const field = Object.entries(schema?.properties ?? {}).find(([, property]) => property.type === 'string')?.[0];
      if (!field) continue;
      // U+D800 as WTF-8 bytes, and a byte that begins no character: decoding would make each U+FFFD.
      for (const bytes of [[0xed, 0xa0, 0x80], [0xff]]) {
        const raw = Buffer.concat([Buffer.from(`{"${field}":"a`), Buffer.from(bytes), Buffer.from('b"}')]);
        const res = await gw.api(method.toUpperCase(), concrete(path), { token: admin, raw });
        expectProblem(res, 422);
        expect(res.body.errors).toEqual([{ field: '(body)', message: NOT_UTF8 }]);
      }
      tried++;
    }
    expect(tried).toBeGreaterThanOrEqual(20);
    expect(identity.calls.slice(before)).toEqual([]);
  });

  it('passes UTF-8 bodies on unchanged: paired surrogates (emoji), U+FFFD itself, and a JSON document that smuggles __proto__ is 400', async () => {
    const text = 'Zoë \u{1F3AB} \uFFFD';
    const res = await gw.api('PUT', '/api/v1/users/1', { token: admin, raw: Buffer.from(`{"firstname":"${text}"}`) });
    expect(res.status).toBe(200);
    expect(identity.lastCall('identity.users.update').params).toMatchObject({ firstname: text });
    const poisoned = await gw.api('PUT', '/api/v1/users/1', {
      token: admin,
      raw: '{"firstname":"Ada","__proto__":{"role":"admin"}}',
    });
    expectProblem(poisoned, 400);
  });

  it('finds a NUL deep in a body and in the OAuth2 login form', async () => {
    const order = await call('post', '/api/v1/orders', {
      event_id: 1,
      payment_method: 'cash',
      items: [{ ticket_type_id: 1, quantity: 1, note: 'x\u0000' }],
    });
    expectProblem(order, 422);
    expect(order.body.errors).toEqual(expect.arrayContaining([{ field: 'items.0.note', message: NUL }]));

    const form = await gw.api('POST', '/api/v1/auth/login', {
      form: { username: 'ada\u0000@example.com', password: 'pw' },
    });
    expectProblem(form, 422);
    expect(form.body.errors).toEqual([{ field: 'username', message: NUL }]);
  });

  it('still takes text with paired surrogates (emoji)', async () => {
    const res = await call('get', '/api/v1/users?search=%F0%9F%8E%AB');
    expect(res.status).toBe(200);
    expect(identity.lastCall('identity.users.list').params).toMatchObject({ search: '\u{1F3AB}' });
  });
});
