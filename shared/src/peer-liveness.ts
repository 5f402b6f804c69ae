import { ErrorCode, type NatsConnection, type NatsError } from 'nats';

/** How long an answer vouches for its node: overdue calls do not probe it again within this. */
const ANSWER_VOUCHES_MS = 500;
/**
 * A node whose probe goes unanswered this long is busy, not gone: a gone node's probe is answered
 * "no responders" by the server at once.
 */
const PROBE_TIMEOUT_MS = 1000;

/**
 * Tells whether a peer node has died, from the NATS server rather than from missed heartbeats:
 * every node answers on a subject of its own, and a probe of a node whose connection closed
 * (SIGKILL, a crash) gets "no responders" from the server at once, since the server dropped that
 * connection's subscriptions when it closed. A node that is merely slow is never taken for gone;
 * a node whose connection to NATS dropped for a moment may be, which costs the calls in flight
 * then no more than one repeat each (see natsBalancedCalls). Needs no system account: the
 * server's own disconnect advisories (`$SYS.ACCOUNT.*.DISCONNECT`) do.
 */
export class PeerLiveness {
  /** Probes under way, by node. */
  private readonly probing = new Map<string, Promise<void>>();
  private readonly answeredAt = new Map<string, number>();
  /** A gone node, and when the probe that found it gone was sent. */
  private readonly gone = new Map<string, number>();

  constructor(
    private readonly nats: NatsConnection,
    /** Moleculer's subject prefix (`MOL-<namespace>`), so that clusters sharing a server stay apart. */
    private readonly prefix: string,
    private readonly onGone: (nodeID: string) => void,
  ) {}

  /** Answers the probes of this process's node for as long as its connection lasts. */
  answerFor(nodeID: string): void {
    this.nats.subscribe(this.subject(nodeID), { callback: (_err, msg) => msg.respond() });
  }

  /**
   * When the probe that found `nodeID` gone was sent: a call sent to its service before then may
   * have been in flight on it, one sent after went to a live instance. Undefined while not known gone.
   */
  goneSince(nodeID: string): number | undefined {
    return this.gone.get(nodeID);
  }

  /** Probes `nodeID` unless a probe is under way or it answered lately; `onGone` tells if it is gone. */
  probe(nodeID: string): void {
    void this.probed(nodeID);
  }

  /**
   * Whether `nodeID` is gone, probing it unless it is known gone or answered lately (then it is
   * taken for alive): for a claim held by another node, which a repeat may take over at once when
   * its holder is gone instead of waiting out the claim's lease.
   */
  async isGone(nodeID: string): Promise<boolean> {
    await this.probed(nodeID);
    return this.gone.has(nodeID);
  }

  private probed(nodeID: string): Promise<void> {
    const underWay = this.probing.get(nodeID);
    if (underWay) return underWay;
    const sentAt = Date.now();
    if (this.gone.has(nodeID) || sentAt - (this.answeredAt.get(nodeID) ?? 0) < ANSWER_VOUCHES_MS) {
      return Promise.resolve();
    }
    const probe = this.nats.request(this.subject(nodeID), undefined, { timeout: PROBE_TIMEOUT_MS }).then(
      () => {
        this.probing.delete(nodeID);
        this.answeredAt.set(nodeID, Date.now());
      },
      (err: NatsError) => {
        this.probing.delete(nodeID);
        if (err.code !== (ErrorCode.NoResponders as string)) return;
        this.gone.set(nodeID, sentAt);
        this.onGone(nodeID);
      },
    );
    this.probing.set(nodeID, probe);
    return probe;
  }

  /** Drops what is known of a node that left the registry. */
  forget(nodeID: string): void {
    this.answeredAt.delete(nodeID);
    this.gone.delete(nodeID);
  }

  private subject(nodeID: string): string {
    return `${this.prefix}.LIVENESS.${nodeID}`;
  }
}
