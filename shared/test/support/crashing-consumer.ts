/**
 * An event consumer that stops dead in the middle of a batch, run by consumer.test.ts: it records
 * each removal it handles in `removed` and tells the test over IPC which transaction it did so in;
 * on the user id `argv[2]` it never finishes, leaving that transaction open until the test kills
 * the process, as a crash would. Where it connects and what it is called come from the environment.
 */
import knex from 'knex';
import { createLogger, subscribeToEvents } from '@ticketpro/shared';
import { testConfig } from '@ticketpro/shared/testing';

const stuckOn = Number(process.argv[2]);
const env = process.env as Record<string, string>;

async function main() {
  const db = knex({ client: 'pg', connection: env.DATABASE_URL, searchPath: [env.CONSUMER_SCHEMA] });
  await subscribeToEvents({
    config: testConfig({
      NATS_URL: env.NATS_URL,
      EVENT_STREAM: env.EVENT_STREAM,
      EVENT_SUBJECT_PREFIX: env.EVENT_SUBJECT_PREFIX,
    }),
    service: 'test',
    name: env.CONSUMER_NAME,
    events: { 'identity.user.deleted': [1] },
    db,
    logger: createLogger('crashing-consumer', 'silent'),
    ackWaitMs: Number(env.CONSUMER_ACK_WAIT_MS),
    handle: async (envelope, trx) => {
      const userId = envelope.data.id;
      await trx('removed').insert({ event_id: envelope.id, user_id: userId });
      const { rows } = await trx.raw<{ rows: { id: string }[] }>('SELECT txid_current() AS id');
      process.send?.({ userId, transactionId: rows[0].id });
      if (userId === stuckOn) await new Promise<never>(() => undefined);
    },
  });
}

// Gone with the test that runs it: a test process that dies or is killed first closes this channel,
// and the consumer's NATS connection would otherwise keep it running, its transaction open, for ever.
process.on('disconnect', () => process.exit(1));

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
