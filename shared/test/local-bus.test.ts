import { LocalEventBus, outboxEntry, SubscriberStoppedError, type AnyEventEnvelope } from '@ticketpro/shared';

/** The in-process bus of the embedded mode, on its own (the relay's side is in outbox.test.ts). */

const userDeleted = (id: number) => outboxEntry('identity.user.deleted', { id }).envelope;

const settled = async (promise: Promise<unknown>) =>
  Promise.race([
    promise.then(
      () => 'resolved',
      () => 'rejected',
    ),
    new Promise((r) => setTimeout(() => r('pending'), 50)),
  ]);

describe('LocalEventBus', () => {
  it('resolves a publish once every subscriber of the type has handled it, and only those', async () => {
    const bus = new LocalEventBus();
    let finish!: () => void;
    const handling = new Promise<void>((resolve) => (finish = resolve));
    const others: AnyEventEnvelope[] = [];
    bus.subscribe({ name: 'slow', events: ['identity.user.deleted'], durable: true, deliver: () => handling });
    bus.subscribe({
      name: 'other-type',
      events: ['catalog.event.deleted'],
      durable: true,
      deliver: async (e) => void others.push(e),
    });
    const publishing = bus.publish(userDeleted(1));
    expect(await settled(publishing)).toBe('pending');
    finish();
    expect(await settled(publishing)).toBe('resolved');
    expect(others).toEqual([]);
  });

  it('hands each subscriber its events one at a time, in publish order', async () => {
    const bus = new LocalEventBus();
    const log: string[] = [];
    bus.subscribe({
      name: 'ordered',
      events: ['identity.user.deleted'],
      durable: true,
      deliver: async (e) => {
        log.push(`start ${(e.data as { id: number }).id}`);
        await new Promise((r) => setTimeout(r, 20 - (e.data as { id: number }).id * 5));
        log.push(`end ${(e.data as { id: number }).id}`);
      },
    });
    await Promise.all([1, 2, 3].map((id) => bus.publish(userDeleted(id))));
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('holds publishing while a broker of the process starts, so subscribers that come meanwhile get the event', async () => {
    const bus = new LocalEventBus();
    bus.holdWhileStarting();
    bus.holdWhileStarting();
    const publishing = bus.publish(userDeleted(7));
    const seen: number[] = [];
    bus.subscribe({
      name: 'late',
      events: ['identity.user.deleted'],
      durable: true,
      deliver: async (e) => void seen.push((e.data as { id: number }).id),
    });
    bus.releaseStarted();
    expect(await settled(publishing)).toBe('pending');
    bus.releaseStarted();
    await publishing;
    expect(seen).toEqual([7]);
  });

  it('keeps the events of a stopped durable subscriber waiting (publish rejects), until it subscribes again', async () => {
    const bus = new LocalEventBus();
    const seen: number[] = [];
    const deliver = async (e: AnyEventEnvelope) => void seen.push((e.data as { id: number }).id);
    bus.subscribe({ name: 'durable', events: ['identity.user.deleted'], durable: true, deliver }).stop();
    await expect(bus.publish(userDeleted(1))).rejects.toBeInstanceOf(SubscriberStoppedError);
    bus.subscribe({ name: 'durable', events: ['identity.user.deleted'], durable: true, deliver });
    await bus.publish(userDeleted(1));
    expect(seen).toEqual([1]);
  });

  it('forgets a stopped plain subscriber: what it misses is gone, as on a NATS subscription', async () => {
    const bus = new LocalEventBus();
    const seen: number[] = [];
    bus
      .subscribe({
        name: 'plain',
        events: ['identity.user.deleted'],
        durable: false,
        deliver: async (e) => void seen.push((e.data as { id: number }).id),
      })
      .stop();
    await bus.publish(userDeleted(2));
    expect(seen).toEqual([]);
  });
});
