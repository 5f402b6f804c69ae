import type { ServiceBroker } from 'moleculer';
import { peerLivenessOf, type Logger } from '@ticketpro/shared';

/**
 * The node a request runs on, which it names in the claims it makes (an Idempotency-Key's, a
 * payment's provider call), and how it tells whether the node named in a claim it waits on is
 * gone: a gone node's claim is taken over at once, not when its lease runs out.
 */
export interface Claimant {
  nodeID: string;
  holderGone(holder: string): Promise<boolean>;
}

/**
 * Over NATS, a node is gone when the NATS server has dropped its connection (PeerLiveness); a
 * node that is merely slow is never taken for gone. Without NATS (embedded mode, in-process
 * tests) every claim's holder is this process, never gone while it runs. A holder found gone
 * is logged: its requests' repeats are about to take their claims over.
 */
export function claimantOf({ broker, logger }: { broker: ServiceBroker; logger: Logger }): Claimant {
  return {
    nodeID: broker.nodeID,
    holderGone: async (holder) => {
      if (holder === broker.nodeID) return false;
      const gone = (await peerLivenessOf(broker)?.isGone(holder)) ?? false;
      if (gone) logger.warn({ holder }, 'taking over a claim whose node is gone');
      return gone;
    },
  };
}
