import type { ServiceBroker } from 'moleculer';
import { createBroker, createLogger, loadConfig, ConfigError } from '@ticketpro/shared';
import { testConfig, testNatsUrl, uniqueName } from '@ticketpro/shared/testing';

const logger = createLogger('test', 'silent');

/** What an event read carries: nested objects and arrays, nulls, decimals as text, non-ASCII text. */
const EVENT_VIEW = {
  id: 12,
  event_name: 'Sommerfest — Köln',
  image: null,
  organizer: { id: 3, firstname: 'Ada', surname: 'Lovelace' },
  ticket_types: [
    { id: 30, price: '19.99', available_quantity: 500, hidden: false, sales_end: null },
    { id: 31, price: '120.00', available_quantity: 0, hidden: false, sales_end: '2027-07-01T18:00:00.000Z' },
  ],
};

describe.each(['JSON', 'CBOR'] as const)('TRANSPORTER_SERIALIZER=%s over NATS', (serializer) => {
  const brokers: ServiceBroker[] = [];

  beforeAll(async () => {
    const config = testConfig({
      NAMESPACE: uniqueName('serializer'),
      NATS_URL: testNatsUrl(),
      TRANSPORTER_SERIALIZER: serializer,
    });
    const server = createBroker({ config, role: 'server', logger });
    server.createService({
      name: 'views',
      actions: {
        get: (ctx) => ({ ...EVENT_VIEW, asked: ctx.params, requestId: (ctx.meta as { requestId?: string }).requestId }),
      },
    });
    const client = createBroker({ config, role: 'client', logger });
    brokers.push(server, client);
    await Promise.all(brokers.map((broker) => broker.start()));
    await client.waitForServices('views', 10_000);
  });
  afterAll(() => Promise.all(brokers.map((broker) => broker.stop())));

  it('carries a call and its answer between processes unchanged', async () => {
    const answer = await brokers[1].call('views.get', { id: 12 }, { meta: { requestId: 'req-7' } });
    expect(answer).toEqual({ ...EVENT_VIEW, asked: { id: 12 }, requestId: 'req-7' });
  });

  it('uses the serializer it was given', () => {
    expect(brokers.map((broker) => broker.serializer?.constructor.name)).toEqual(
      Array(2).fill(serializer === 'JSON' ? 'JSONSerializer' : 'CborSerializer'),
    );
  });
});

describe('TRANSPORTER_SERIALIZER', () => {
  it('is JSON unless set', () => {
    expect(loadConfig({}).TRANSPORTER_SERIALIZER).toBe('JSON');
  });

  it('refuses a serializer it does not offer', () => {
    expect(() => loadConfig({ TRANSPORTER_SERIALIZER: 'MsgPack' })).toThrow(ConfigError);
  });
});
