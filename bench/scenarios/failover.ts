import { startCluster } from '@ticketpro/tests/support/cluster';
import { runFailover, type FailoverFigures } from '@ticketpro/tests/support/failover';
import type { BenchOptions } from '../options';
import type { Teardown } from '../teardown';

/** Issue 14's windows: the steady load, and the 20 s after each kill. */
const STEADY_MS = 20_000;
const WINDOW_MS = 20_000;
const WORKERS = 8;

export interface FailoverScenarioFigures extends FailoverFigures {
  workers: number;
  windowSeconds: number;
}

/**
 * Failover (issue 14): a cluster of its own with two instances of every service, buyers under
 * steady load, one instance of each service SIGKILLed in turn; see tests/support/failover.ts.
 * The e2e test runs the same with shorter windows and a looser bound.
 */
export async function measureFailover(
  env: Record<string, string>,
  options: BenchOptions,
  teardown: Teardown,
): Promise<FailoverScenarioFigures> {
  const starting = startCluster('bench_failover', env, { instances: 2 });
  teardown.add('stop the failover cluster', () =>
    starting.then(
      (cluster) => cluster.stop(),
      () => undefined,
    ),
  );
  const cluster = await starting;
  const windowMs = options.smoke ? 2000 : WINDOW_MS;
  const workers = options.smoke ? 2 : WORKERS;
  const figures = await runFailover(cluster, { workers, steadyMs: options.smoke ? 2000 : STEADY_MS, windowMs });
  await cluster.stop();
  return { ...figures, workers, windowSeconds: windowMs / 1000 };
}
