import net from 'node:net';
import { IdentityStandIn, startGateway, type Gateway } from '../support/gateway';

// Builds gateways of its own, and waits out timeouts of about a second.
jest.setTimeout(30_000);

/** A raw TCP client: what it received, and when the server closed it. */
interface RawClient {
  socket: net.Socket;
  received(): string;
  closed: Promise<number>;
}

function connectRaw(baseUrl: string): Promise<RawClient> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString();
    });
    socket.on('error', () => undefined);
    const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now())));
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

/** Sends `text` one byte every `everyMs`, until the socket closes or the text ends. */
async function trickle(client: RawClient, text: string, everyMs: number): Promise<void> {
  for (const byte of text) {
    if (client.socket.destroyed || client.socket.writableEnded) return;
    client.socket.write(byte);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

const isOpen = async (client: RawClient, forMs: number) =>
  Promise.race([client.closed.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), forMs))]);

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
      client.socket.write(
        'POST /api/v1/auth/refresh HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n',
      );
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
      for (const client of held) expect(await isOpen(client, 100)).toBe(true);
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
