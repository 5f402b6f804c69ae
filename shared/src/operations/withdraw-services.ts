import type { ServiceBroker } from 'moleculer';

/** The part of Moleculer 0.14's registry that `broker.stop()` itself uses to leave; not in its typings. */
interface LeavingRegistry {
  regenerateLocalRawInfo(incrementSeq: boolean, isStopping: boolean): unknown;
  discoverer: { sendLocalNodeInfo(): Promise<void> };
}

/**
 * Tells the other nodes that this node offers no services any more, while it keeps running
 * the calls it has. `broker.stop()` does the same as its first step, but only 100 ms
 * (`registry.stopDelay`) before it starts refusing calls; doing it when the drain begins gives
 * callers the whole drain to learn it, so they pick another instance instead of being refused
 * and retrying. The announcement is cached, so a node discovering us meanwhile learns it too.
 * Without a transporter there is nobody to tell.
 */
export async function withdrawServices(broker: ServiceBroker): Promise<void> {
  if (!broker.transit) return;
  const registry = broker.registry as unknown as LeavingRegistry;
  registry.regenerateLocalRawInfo(true, true);
  await registry.discoverer.sendLocalNodeInfo();
}
