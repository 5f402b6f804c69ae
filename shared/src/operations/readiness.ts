import type { ServiceBroker } from 'moleculer';

export type ReadinessStatus = 'ok' | 'starting' | 'unavailable' | 'draining';

/** Long enough for a healthy database under load, short enough for a probe's own timeout. */
const HEALTH_CALL_TIMEOUT_MS = 1500;

/**
 * Whether this process should be given work: its broker is started (which, over NATS, means it
 * has connected and discovered the other nodes; until then the answer is `starting`), every
 * service it runs answers its `<service>.health` action (which asks that service's database),
 * and it is not shutting down. Draining is one-way: once a shutdown has begun the answer stays
 * `draining`.
 *
 * A NATS outage after the start does not make a node unready: the bus is shared, so every
 * instance would drop out of rotation at once, while the NATS client reconnects by itself and
 * the gateway meanwhile answers 503 with Retry-After on its own.
 */
export class NodeReadiness {
  private draining = false;

  constructor(private readonly broker: ServiceBroker) {}

  get isDraining(): boolean {
    return this.draining;
  }

  /** Until every service of this process has started (in embedded mode, all of them). */
  get isStarting(): boolean {
    return !this.draining && !this.broker.started;
  }

  startDraining(): void {
    this.draining = true;
  }

  async check(): Promise<ReadinessStatus> {
    if (this.draining) return 'draining';
    if (this.isStarting) return 'starting';
    const { broker } = this;
    // On this node only: another instance's database answering says nothing about this one's.
    const answers = await Promise.allSettled(
      localHealthActions(broker).map((action) =>
        broker.call(action, {}, { nodeID: broker.nodeID, timeout: HEALTH_CALL_TIMEOUT_MS, retries: 0 }),
      ),
    );
    if (this.draining) return 'draining';
    return answers.every((answer) => answer.status === 'fulfilled') ? 'ok' : 'unavailable';
  }
}

/** Our services' health actions; Moleculer's internal `$node` service has a `health` action of its own. */
function localHealthActions(broker: ServiceBroker): string[] {
  return broker.services
    .filter((service) => !service.name.startsWith('$') && typeof service.actions?.health === 'function')
    .map((service) => `${service.fullName}.health`);
}
