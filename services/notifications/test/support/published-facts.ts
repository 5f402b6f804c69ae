import { outboxEntry, type EventData, type JetStreamPublisher } from '@ticketpro/shared';

/**
 * Publishes the facts a confirmation needs as identity and catalog publish them: buyers 1 to
 * `count`, each at `email(i)`, and one event. Tests that feed instances over JetStream publish
 * them before the orders, so that no confirmation waits for its facts (a wait only the poll ends).
 */
export async function publishBuyersAndEvent(
  publisher: JetStreamPublisher,
  buyers: { count: number; surname: string; email: (i: number) => string },
  event: Pick<EventData<'catalog.event.created'>, 'id' | 'event_name' | 'location' | 'date'>,
): Promise<void> {
  for (let i = 1; i <= buyers.count; i++) {
    await publisher.publish(
      outboxEntry('identity.user.registered', {
        id: i,
        firstname: `Buyer${i}`,
        surname: buyers.surname,
        role: 'user',
        active: true,
        email: buyers.email(i),
      }).envelope,
    );
  }
  await publisher.publish(outboxEntry('catalog.event.created', { organizer_id: 3, capacity: null, ...event }).envelope);
}
