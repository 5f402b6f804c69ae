import { Errors, ServiceBroker, type CallingOptions, type Middleware } from 'moleculer';
import type { NatsConnection } from 'nats';
import { isRepeatableCall } from './contracts/repeatable';
import type { Logger } from './logger';
import { PeerLiveness } from './peer-liveness';

/** `ctx`: the context Moleculer's own retry sends again; not in its typings. */
type Call = (action: unknown, params: unknown, options?: CallingOptions & { ctx?: unknown }) => Promise<unknown>;

/** The part of Moleculer 0.14's registry this needs; not in its typings. */
interface ActionRegistry {
  getActionEndpoints(
    action: string,
  ): { hasLocal(): boolean; endpoints: { local: boolean; node: { id: string } }[] } | undefined;
}

/** The part of Moleculer 0.14's NATS transporter this needs (nats.js v2); not in its typings. */
interface NatsTransporter {
  prefix: string;
  client: NatsConnection;
}

/**
 * A repeatable call unanswered this long has its service's instances probed (PeerLiveness): well
 * above a call's usual answer on a quiet machine, so that probes are rare there; a probe costs one
 * small request to NATS, and only a node found gone leads to a repeat.
 */
const SUSPECT_AFTER_MS = 500;
/**
 * How often calls in flight are looked at for ones overdue; the sweep runs only while a
 * repeatable call is in flight, so an idle process has no timer waking it 4 times a second.
 */
const SWEEP_INTERVAL_MS = 250;

/** Each broker's PeerLiveness, once its middleware has made it (over NATS only). */
const livenessOf = new WeakMap<ServiceBroker, PeerLiveness>();

/**
 * What tells whether a peer node of `broker` is gone (see PeerLiveness); undefined without NATS
 * (embedded mode, in-process tests), where no peer can die alone.
 */
export function peerLivenessOf(broker: ServiceBroker): PeerLiveness | undefined {
  return livenessOf.get(broker);
}

/** What a repeatable call sends, each time it is sent. */
interface CallRequest {
  action: string;
  params: unknown;
  options: CallingOptions;
}

/**
 * What every repeatable call of one middleware sends through: the next handler, the calls in
 * flight (which the sweep looks at), and where repeats are logged.
 */
interface CallSender {
  next: Call;
  inFlight: Set<RepeatableCall>;
  logger: Logger;
}

/** The caller's promise, settled by the first answer or the last failure. */
interface CallOutcome {
  resolve: (answer: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * A repeatable call in flight, until it is answered or sent once more; it answers with the first
 * answer of the call or its one repeat. A timeout is no answer: the other attempt may still give
 * one, and a call that timed out before it was repeated is repeated then. A class rather than
 * closures made for each call: a read through the gateway makes one of these.
 */
class RepeatableCall {
  readonly sentAt = Date.now();
  private attempts = 0;
  private failed = 0;

  constructor(
    readonly request: CallRequest,
    private readonly sender: CallSender,
    private readonly outcome: CallOutcome,
  ) {}

  start(): void {
    this.sender.inFlight.add(this);
    this.send();
  }

  repeat(why: string): void {
    this.sender.inFlight.delete(this);
    this.sender.logger.warn({ action: this.request.action, why }, 'sending the call once more');
    this.send();
  }

  private send(): void {
    this.attempts += 1;
    const { action, params, options } = this.request;
    this.sender.next(action, params, { ...options }).then(
      (answer) => this.answered(answer),
      (err: Error) => this.failedWith(err),
    );
  }

  private answered(answer: unknown): void {
    this.sender.inFlight.delete(this);
    this.outcome.resolve(answer);
  }

  private failedWith(err: Error): void {
    this.failed += 1;
    if (err instanceof Errors.RequestTimeoutError) {
      if (this.sender.inFlight.has(this)) return this.repeat(`timed out: ${err.message}`);
      if (this.failed < this.attempts) return;
    }
    this.sender.inFlight.delete(this);
    this.outcome.reject(err);
  }
}

/**
 * Calls when the NATS server balances them (`disableBalancer`), where Moleculer would send every
 * call through NATS, even one to an action of this very process:
 *
 * - A call to an action this process serves runs here, as Moleculer's balanced `call` runs it
 *   (it prefers the local endpoint): no round trip through NATS, and it still works while this
 *   node withdraws its services for a graceful stop (their queue subscriptions are gone then).
 * - A call whose contract says a repeat is harmless (see `isRepeatableCall`) is sent once more
 *   when an instance of its service was found gone while it was in flight, or when it timed out.
 *   A call in flight on an instance that died is never answered; the NATS server dropped the dead
 *   one's subscriptions, so the repeat goes to a live instance. Which instance the NATS server
 *   handed a call to is not known here, so every call to that service sent before the death was
 *   found and still unanswered is repeated: a few that were on a live instance run twice, which
 *   their contract allows. Moleculer's own retry policy (`retryPolicy.check`) sees only the
 *   error, not the call, so it cannot tell a repeatable call from one that is not.
 *
 * This wraps `broker.call`, which `ctx.call` goes through too.
 */
export function natsBalancedCalls(logger: Logger): Middleware {
  let broker: ServiceBroker;
  let liveness: PeerLiveness | undefined;
  let sweeping: NodeJS.Timeout | undefined;
  const balancedCall = ServiceBroker.prototype.call as Call;
  // In the order sent (a Set keeps insertion order), so a sweep stops at the first call not overdue.
  const inFlight = new Set<RepeatableCall>();

  const remoteNodesServing = (action: string) =>
    (broker.registry as unknown as ActionRegistry)
      .getActionEndpoints(action)
      ?.endpoints.filter((endpoint) => !endpoint.local)
      .map((endpoint) => endpoint.node.id) ?? [];

  /** Sweeps once more, and stops the sweep once no call is left in flight (the next call starts it again). */
  const sweep = () => {
    repeatCallsOnGoneNodes();
    if (inFlight.size > 0) return;
    clearInterval(sweeping);
    sweeping = undefined;
  };
  const sweepWhileInFlight = () => {
    sweeping ??= setInterval(sweep, SWEEP_INTERVAL_MS).unref();
  };

  const repeatCallsOnGoneNodes = () => {
    if (!liveness) return;
    const overdueFrom = Date.now() - SUSPECT_AFTER_MS;
    for (const call of inFlight) {
      if (call.sentAt > overdueFrom) break;
      for (const nodeID of remoteNodesServing(call.request.action)) {
        const goneSince = liveness.goneSince(nodeID);
        if (goneSince !== undefined && call.sentAt < goneSince) {
          call.repeat(`an instance of its service (${nodeID}) is gone`);
          break;
        }
        // Also a node found gone before the call was sent: it may be back (a dropped connection).
        liveness.probe(nodeID);
      }
    }
  };

  function answerProbes() {
    if (liveness) return;
    const transporter = broker.transit?.tx as unknown as NatsTransporter;
    liveness = new PeerLiveness(transporter.client, transporter.prefix, repeatCallsOnGoneNodes);
    liveness.answerFor(broker.nodeID);
    livenessOf.set(broker, liveness);
    broker.localBus.on('$node.disconnected', ({ node }: { node: { id: string } }) => liveness?.forget(node.id));
  }

  return {
    name: 'NatsBalancedCalls',
    created(created: ServiceBroker) {
      broker = created;
    },
    // Before this node's actions are announced: no probe that finds them may find it missing.
    serviceStarting: answerProbes,
    started: answerProbes,
    stopped() {
      clearInterval(sweeping);
      sweeping = undefined;
    },
    call(next: Call): Call {
      const sender: CallSender = { next, inFlight, logger };
      return function balancedByNats(action, params, options = {}) {
        // A retry of Moleculer's own reuses its context (`ctx`); a call to one node has nowhere else to go.
        if (typeof action !== 'string' || options.ctx || options.nodeID) return next(action, params, options);
        const registry = broker.registry as unknown as ActionRegistry;
        if (registry.getActionEndpoints(action)?.hasLocal()) return balancedCall.call(broker, action, params, options);
        if (!isRepeatableCall(action, params)) return next(action, params, options);
        return new Promise((resolve, reject) => {
          new RepeatableCall({ action, params, options }, sender, { resolve, reject }).start();
          sweepWhileInFlight();
        });
      };
    },
  } as unknown as Middleware;
}
