import { startCluster, type Cluster } from '../support/cluster';
import { runFailover, type WindowFigures } from '../support/failover';

jest.setTimeout(240_000);

/**
 * Shorter than the bench's 20 s windows (issue 14), so that the file runs in well under two
 * minutes; long enough that the requests in flight at a kill are a small share of the window.
 */
const STEADY_MS = 6000;
const WINDOW_MS = 6000;
const WORKERS = 6;
/**
 * What no buyer may wait, in flight at a kill or not (issue 14: "no buyer waits 10 s"). A call in
 * flight on a killed instance is sent again as soon as the NATS server says the instance is gone
 * (about a second, natsBalancedCalls), not after its timeout (8 s for a checkout). A checkout or
 * payment in flight on a killed ordering is repeated the same way, and its repeat takes over the
 * Idempotency-Key's claim at once, its holder's node being gone (0.8 s at most in a run on a busy
 * machine; the claim's 5 s lease, waited out before, made it 5.2–5.4 s). The bound leaves room for
 * a repeat's own work on a loaded CI machine (up to 3.3 s with CI's two test files on two cores).
 */
const LONGEST_WAIT_MS = 10_000;

/**
 * Two instances of every service over real NATS under steady load; one instance of each is
 * SIGKILLed in turn. With the heartbeat timeout left at its default (15 s), calls routed by
 * Moleculer's balancer would go on reaching the dead instance; routed by NATS queue groups they
 * do not, and calls in flight on it are repeated on the live one where the contract allows.
 */
describe('failover: SIGKILL of one instance of each service under steady load', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    // Logins at production cost, as the bench runs it: one is more often in flight at a kill.
    cluster = await startCluster('e2e_failover', { PASSWORD_HASH_COST: 'owasp' }, { instances: 2 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('fails no request, and no buyer waits 10 s, in flight at a kill or sent after it', async () => {
    const figures = await runFailover(cluster, { workers: WORKERS, steadyMs: STEADY_MS, windowMs: WINDOW_MS });
    console.log(`failover: ${figures.requests} requests\n${figures.windows.map(describeWindow).join('\n')}`);

    expect(figures.failed).toEqual([]);
    const [steady, ...kills] = figures.windows;
    expect(steady.answered).toBeGreaterThan(20);
    // The p99 after each kill against the steady p99 (issue 14: at most 3×) is a speed target:
    // bench scenario 8 measures it over 20 s windows. Windows this short hold a few hundred
    // requests, so their p99 is their slowest two or three, which one busy moment of a shared
    // machine decides; what this test holds is that nothing fails and nobody waits past LONGEST_WAIT_MS.
    expect(kills.filter((kill) => kill.maxMs >= LONGEST_WAIT_MS).map(describeWindow)).toEqual([]);
  });
});

function describeWindow(w: WindowFigures): string {
  return (
    `  ${w.window}: ${w.answered} answered, p50 ${w.p50Ms} ms, p99 ${w.p99Ms} ms, max ${w.maxMs} ms; ` +
    `p99 of those sent in it ${w.sentP99Ms} ms; failures ${JSON.stringify(w.failures)}`
  );
}
