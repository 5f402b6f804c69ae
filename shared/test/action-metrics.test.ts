import { Errors, type ServiceBroker, type ServiceSchema } from 'moleculer';
import { Registry } from 'prom-client';
import { actionMetrics, ConflictError, createBroker, createLogger, NotFoundError } from '@ticketpro/shared';
import { assertNatsReachable, testConfig, testNatsUrl, uniqueName } from '@ticketpro/shared/testing';

const logger = createLogger('test', 'silent');

const calc: ServiceSchema = {
  name: 'calc',
  actions: {
    ok: () => 42,
    missing() {
      throw new NotFoundError('No such sum');
    },
    conflict() {
      throw new ConflictError('Already added');
    },
    crash() {
      throw new TypeError("Cannot read properties of undefined (reading 'sum')");
    },
    unavailable() {
      throw new Errors.MoleculerError('Database is down', 503, 'DB_DOWN');
    },
    nested: (ctx) => ctx.call('calc.ok'),
  },
};

/** Counter values by their label sets, e.g. `calc.ok ok` → 2. */
async function callCounts(registry: Registry): Promise<Record<string, number>> {
  const { values } = await registry.getSingleMetric('moleculer_action_calls_total')!.get();
  return Object.fromEntries(values.map((v) => [`${v.labels.action} ${v.labels.outcome}`, v.value]));
}

async function durationCounts(registry: Registry): Promise<Record<string, number>> {
  const { values } = await registry.getSingleMetric('moleculer_action_duration_seconds')!.get();
  // A histogram's values are its buckets, sum and count, told apart by their metric name.
  const counts = values.filter(
    (v) => (v as { metricName?: string }).metricName === 'moleculer_action_duration_seconds_count',
  );
  return Object.fromEntries(counts.map((v) => [String(v.labels.action), v.value]));
}

function brokerWithMetrics(registry: Registry, overrides: Record<string, string> = {}): ServiceBroker {
  const config = testConfig({ NAMESPACE: uniqueName('action_metrics'), ...overrides });
  return createBroker({ config, role: 'test', logger, middlewares: [actionMetrics(registry)] });
}

describe('actionMetrics', () => {
  it('counts each call by action and outcome, the outcome read from the error code, and times it', async () => {
    const registry = new Registry();
    const broker = brokerWithMetrics(registry);
    broker.createService(calc);
    await broker.start();
    try {
      await broker.call('calc.ok');
      await broker.call('calc.nested');
      for (const action of ['missing', 'conflict', 'crash', 'unavailable']) {
        await expect(broker.call(`calc.${action}`, {}, { retries: 0 })).rejects.toThrow();
      }
    } finally {
      await broker.stop();
    }
    expect(await callCounts(registry)).toEqual({
      'calc.ok ok': 2,
      'calc.nested ok': 1,
      'calc.missing client_error': 1,
      'calc.conflict client_error': 1,
      'calc.crash server_error': 1,
      'calc.unavailable server_error': 1,
    });
    expect(await durationCounts(registry)).toEqual({
      'calc.ok': 2,
      'calc.nested': 1,
      'calc.missing': 1,
      'calc.conflict': 1,
      'calc.crash': 1,
      'calc.unavailable': 1,
    });
  });

  it('records a call in the process that ran it, not in the one that made it', async () => {
    await assertNatsReachable();
    const namespace = uniqueName('action_metrics_nats');
    const settings = { NATS_URL: testNatsUrl(), NAMESPACE: namespace };
    const callerMetrics = new Registry();
    const serviceMetrics = new Registry();
    const caller = brokerWithMetrics(callerMetrics, settings);
    const service = brokerWithMetrics(serviceMetrics, settings);
    service.createService(calc);
    await Promise.all([caller.start(), service.start()]);
    try {
      await caller.waitForServices(['calc'], 10_000);
      await caller.call('calc.ok');
      await expect(caller.call('calc.conflict')).rejects.toThrow('Already added');
    } finally {
      await Promise.all([caller.stop(), service.stop()]);
    }
    expect(await callCounts(serviceMetrics)).toEqual({ 'calc.ok ok': 1, 'calc.conflict client_error': 1 });
    expect(await callCounts(callerMetrics)).toEqual({});
  });
});
