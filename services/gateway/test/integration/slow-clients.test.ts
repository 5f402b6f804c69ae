import { connectRaw, postHead, staysOpen, trickle } from '@ticketpro/tests/support/raw-http';
import { IdentityStandIn, startGateway, type Gateway } from '../support/gateway';

// Builds gateways of its own, and waits out timeouts of about a second.
jest.setTimeout(30_000);

describe('gateway: slow clients', () => {
  const identity = new IdentityStandIn();

  describe('with request and header timeouts of one second', () => {
    let gw: Gateway;
    beforeAll(async () => {
      gw = await startGateway([identity.schema()], { HTTP_REQUEST_TIMEOUT_MS: 1000, HTTP_HEADERS_TIMEOUT_MS: 1000 });
    });
    afterAll(() => gw.close());

    it('answers 408 and closes the connection of a body trickled in a byte at a time', async () => {
      const client = await connectRaw(gw.baseUrl);
      const started = Date.now();
      client.socket.write(postHead('/api/v1/auth/refresh', 500));
      // At this pace the body would take 100 s.
      void trickle(client, `{"refresh_token":"${'x'.repeat(480)}"}`, 200);
      const closedAt = await client.closed;
      expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
      expect(closedAt - started).toBeGreaterThanOrEqual(900);
      // The timeout and one check interval, with room for a machine busy with other tests.
      expect(closedAt - started).toBeLessThan(5000);
      expect(identity.callsOf('identity.refresh')).toHaveLength(0);
    });

    it('closes the connection of headers trickled in a byte at a time', async () => {
      const client = await connectRaw(gw.baseUrl);
      const started = Date.now();
      void trickle(client, `GET /health HTTP/1.1\r\nHost: gateway\r\nX-Padding: ${'p'.repeat(400)}\r\n\r\n`, 100);
      const closedAt = await client.closed;
      expect(client.received()).not.toMatch(/^HTTP\/1\.1 200 /);
      expect(closedAt - started).toBeLessThan(5000);
    });

    it('still serves a client that sends its request at once', async () => {
      const res = await gw.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'r1' } });
      expect(res.status).toBe(200);
    });
  });

  describe('with at most three connections per address', () => {
    let gw: Gateway;
    beforeAll(async () => {
      gw = await startGateway([identity.schema()], { HTTP_MAX_CONNECTIONS_PER_ADDRESS: 3 });
    });
    afterAll(() => gw.close());

    it('closes a fourth connection from one address at once, and takes a new one when one of the three ends', async () => {
      const held = await Promise.all([connectRaw(gw.baseUrl), connectRaw(gw.baseUrl), connectRaw(gw.baseUrl)]);
      const fourth = await connectRaw(gw.baseUrl);
      const refusedAt = await fourth.closed;
      expect(fourth.received()).toBe('');
      for (const client of held) expect(await staysOpen(client, 100)).toBe(true);
      expect(refusedAt).toBeLessThan(Date.now());

      held[0].socket.destroy();
      await held[0].closed;
      // The server sees the close a moment after the client.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const next = await connectRaw(gw.baseUrl);
      next.socket.write('GET /health/live HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n');
      await next.closed;
      expect(next.received()).toMatch(/^HTTP\/1\.1 200 /);
      for (const client of held) client.socket.destroy();
    });
  });
});
