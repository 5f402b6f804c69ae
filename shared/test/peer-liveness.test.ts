import { connect, type NatsConnection } from 'nats';
import { PeerLiveness } from '../src/peer-liveness';
import { assertNatsReachable, testNatsUrl, uniqueName } from '@ticketpro/shared/testing';

/** Longer than a probe's outcome stands (500 ms) once it settled, so that the next probe is sent. */
const lettingOutcomeLapse = () => new Promise((resolve) => setTimeout(resolve, 600));

describe('PeerLiveness over real NATS', () => {
  /** Every connection a test opened, closed after it (closing one twice is harmless). */
  const connections: NatsConnection[] = [];
  let prefix: string;
  let prober: PeerLiveness;
  let found: string[];

  beforeAll(async () => {
    await assertNatsReachable();
  });
  beforeEach(async () => {
    prefix = `MOL-${uniqueName('liveness')}`;
    found = [];
    const nats = await connect({ servers: testNatsUrl() });
    connections.push(nats);
    prober = new PeerLiveness(nats, prefix, (nodeID) => found.push(nodeID));
  });
  /** A node's probes answered over a connection of its own, as a node's transporter answers them. */
  const answering = async (nodeID: string) => {
    const nats = await connect({ servers: testNatsUrl() });
    connections.push(nats);
    new PeerLiveness(nats, prefix, () => undefined).answerFor(nodeID);
    await nats.flush();
    return nats;
  };

  /**
   * Whether `nodeID` is found gone within a few probes: the server drops a closed connection's
   * subscriptions moments after the close, so a probe sent at once may still meet the old one
   * (and time out, which is busy, not gone).
   */
  const foundGone = async (nodeID: string) => {
    for (let probes = 1; ; probes += 1) {
      if (await prober.isGone(nodeID)) return true;
      if (probes === 10) return false;
      await lettingOutcomeLapse();
    }
  };

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nats) => nats.close()));
  });

  it('finds a node gone once its connection closes, and tells it once', async () => {
    const node = await answering('node-a');
    expect(await prober.isGone('node-a')).toBe(false);

    await node.close();
    const closedAt = Date.now();
    await lettingOutcomeLapse();
    expect(await foundGone('node-a')).toBe(true);
    const goneSince = prober.goneSince('node-a');
    expect(goneSince).toBeGreaterThanOrEqual(closedAt);

    // Found gone again: the first time stands (calls sent since could not reach it), no second word.
    await lettingOutcomeLapse();
    expect(await prober.isGone('node-a')).toBe(true);
    expect(prober.goneSince('node-a')).toBe(goneSince);
    expect(found).toEqual(['node-a']);
  });

  it('takes a node found gone for live again once it answers, and finds its later death', async () => {
    const blinked = await answering('node-b');
    await blinked.close();
    expect(await foundGone('node-b')).toBe(true);

    // Its connection back (nats.js subscribes again on reconnecting): the next probe is answered.
    const back = await answering('node-b');
    await lettingOutcomeLapse();
    expect(await prober.isGone('node-b')).toBe(false);
    expect(prober.goneSince('node-b')).toBeUndefined();

    await back.close();
    const diedAt = Date.now();
    await lettingOutcomeLapse();
    expect(await foundGone('node-b')).toBe(true);
    expect(found).toEqual(['node-b', 'node-b']);
    expect(prober.goneSince('node-b')).toBeGreaterThanOrEqual(diedAt);
  });
});
