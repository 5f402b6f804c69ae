import type { ServiceBroker } from 'moleculer';
import type { NatsConnection } from 'nats';
import { createBroker, createLogger } from '@ticketpro/shared';
import { assertNatsReachable, testConfig, testNatsUrl, uniqueName } from '@ticketpro/shared/testing';

/** The call timeout of these tests: what a call in flight on a dead instance waited before. */
const TIMEOUT_MS = 8000;
/**
 * Untracked: an attempt left on a dead instance is never settled inside Moleculer, and a tracked
 * one would hold its broker's stop for the whole shutdown timeout.
 */
const CALL = { timeout: TIMEOUT_MS, tracking: false };
/**
 * Moleculer subscribes a node's actions again a second after its last service started (a
 * debounced INFO), leaving a moment without them: a call sent then to a service whose other
 * instance is dead would go nowhere.
 */
const RESUBSCRIBED_MS = 2000;

/**
 * Instances of one service over real NATS, as natsBalancedCalls sees them: a call in flight on an
 * instance whose connection closes (as a SIGKILL closes it) is sent again to a live instance as
 * soon as the NATS server says the dead one is gone, rather than after the call's timeout; a
 * call that is not safe to repeat never is.
 */
describe('natsBalancedCalls: calls in flight on an instance that dies', () => {
  const logger = createLogger('test', 'silent');
  const brokers: ServiceBroker[] = [];
  /** Handlers that never answered by themselves, released at the end so that their brokers can stop. */
  const hanging: (() => void)[] = [];
  let namespace: string;

  const startBroker = async (role: string, answer?: (action: string) => Promise<string>) => {
    const broker = createBroker({
      config: testConfig({ NATS_URL: testNatsUrl(), NAMESPACE: namespace }),
      role,
      logger,
    });
    if (answer) {
      broker.createService({
        name: 'catalog',
        actions: { 'events.get': () => answer('catalog.events.get') },
      });
      broker.createService({
        name: 'identity',
        actions: { register: () => answer('identity.register') },
      });
    }
    brokers.push(broker);
    await broker.start();
    return broker;
  };
  /** What SIGKILL does as the NATS server sees it: the connection closes without a word from Moleculer. */
  const kill = (broker: ServiceBroker) => (broker.transit?.tx as unknown as { client: NatsConnection }).client.close();
  const hangUntilReleased = (received: string[]) => (action: string) => {
    received.push(action);
    return new Promise<string>((resolve) => hanging.push(() => resolve('released')));
  };
  const answerAs = (name: string, received: string[]) => async (action: string) => {
    received.push(action);
    return name;
  };

  beforeAll(async () => {
    await assertNatsReachable();
  });
  beforeEach(() => {
    namespace = uniqueName('balanced');
  });
  afterEach(async () => {
    for (const release of hanging.splice(0)) release();
    await Promise.all(brokers.splice(0).map((broker) => broker.stop().catch(() => undefined)));
  });

  /** A caller, and a first instance that takes the call and hangs; then a live one joins and the first dies. */
  async function callInFlightOnDyingInstance(action: string) {
    const caller = await startBroker('caller');
    const onDying: string[] = [];
    const dying = await startBroker('dying', hangUntilReleased(onDying));
    await caller.waitForServices(['catalog', 'identity'], 10_000);
    let killedAt = 0;
    const answer = caller.call(action, {}, CALL).then(
      (value) => ({ value, msAfterKill: Date.now() - killedAt }),
      (err: Error) => ({ error: err.name, msAfterKill: Date.now() - killedAt }),
    );
    while (onDying.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const onLive: string[] = [];
    await startBroker('live', answerAs('live', onLive));
    await new Promise((resolve) => setTimeout(resolve, RESUBSCRIBED_MS));
    killedAt = Date.now();
    await kill(dying);
    return { answer: await answer, onDying, onLive };
  }

  it('sends a read in flight on the dead instance to a live one at once, well before its timeout', async () => {
    const { answer, onDying, onLive } = await callInFlightOnDyingInstance('catalog.events.get');

    expect(answer).toMatchObject({ value: 'live' });
    // Its timeout would have come about 5 s after the kill.
    expect(answer.msAfterKill).toBeLessThan(3000);
    expect(onDying).toEqual(['catalog.events.get']);
    expect(onLive).toEqual(['catalog.events.get']);
  });

  it('never sends again a call that is not safe to repeat: it times out', async () => {
    const { answer, onLive } = await callInFlightOnDyingInstance('identity.register');

    expect(answer).toMatchObject({ error: 'RequestTimeoutError' });
    expect(answer.msAfterKill).toBeGreaterThanOrEqual(3000);
    expect(onLive).toEqual([]);
  });

  it('does not repeat a call that is slow on a live instance', async () => {
    const caller = await startBroker('caller');
    const received: string[] = [];
    await startBroker('slow', async (action) => {
      received.push(action);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      return 'slow';
    });
    await startBroker('other', answerAs('other', received));
    await caller.waitForServices(['catalog'], 10_000);

    // Sent until one lands on the slow instance (the NATS server picks), each waited for: the
    // slow one is probed while it works, answers the probe, and its call is not sent again.
    let calls = 0;
    let answer;
    do {
      calls += 1;
      answer = await caller.call('catalog.events.get', {}, CALL);
    } while (answer !== 'slow' && calls < 20);

    expect(answer).toBe('slow');
    expect(received).toHaveLength(calls);
  });
});
