import type { ServiceBroker } from 'moleculer';
import { createBroker, createLogger, withdrawServices } from '@ticketpro/shared';
import { assertNatsReachable, testConfig, testNatsUrl, uniqueName } from '@ticketpro/shared/testing';

const logger = createLogger('test', 'silent');

jest.setTimeout(30_000);

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('withdrawServices', () => {
  let caller: ServiceBroker;
  let leaving: ServiceBroker;
  let newcomer: ServiceBroker | undefined;
  let settings: Record<string, string>;

  beforeAll(async () => {
    await assertNatsReachable();
    settings = { NATS_URL: testNatsUrl(), NAMESPACE: uniqueName('withdraw') };
    caller = createBroker({ config: testConfig(settings), role: 'caller', logger });
    leaving = createBroker({ config: testConfig(settings), role: 'leaving', logger });
    leaving.createService({ name: 'calc', actions: { add: (ctx) => ctx.params.a + ctx.params.b } });
    await Promise.all([caller.start(), leaving.start()]);
    await caller.waitForServices(['calc'], 10_000);
  });

  afterAll(async () => {
    await Promise.all([caller?.stop(), leaving?.stop(), newcomer?.stop()]);
  });

  const offersCalc = (broker: ServiceBroker) =>
    broker.registry.getServiceList({ onlyAvailable: true }).some((s) => s.name === 'calc');

  it('makes the other nodes, and those that join later, forget our services while we keep running', async () => {
    expect(await caller.call('calc.add', { a: 1, b: 2 })).toBe(3);
    await withdrawServices(leaving);
    await until(() => !offersCalc(caller), 'the caller forgets calc');
    await expect(caller.call('calc.add', { a: 1, b: 2 }, { retries: 0 })).rejects.toMatchObject({
      name: 'ServiceNotAvailableError',
    });

    // The leaving node still runs its own calls, and is still a node of the cluster.
    expect(await leaving.call('calc.add', { a: 2, b: 2 })).toBe(4);
    expect(caller.registry.nodes.get(leaving.nodeID)?.available).toBe(true);

    newcomer = createBroker({ config: testConfig(settings), role: 'newcomer', logger });
    await newcomer.start();
    await until(
      () => newcomer!.registry.nodes.get(leaving.nodeID)?.available === true,
      'the newcomer discovers the leaving node',
    );
    expect(offersCalc(newcomer)).toBe(false);
  });
});
