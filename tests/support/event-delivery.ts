import { connect, JSONCodec } from 'nats';
import { Client } from 'pg';
import { SERVICE_NAMES } from '@ticketpro/shared';

/** One row of a service's outbox: a domain event as it was recorded, and whether it was relayed. */
export interface OutboxRow {
  service: string;
  id: string;
  name: string;
  /** The event's payload, e.g. the order it reports on. */
  data: Record<string, unknown>;
  created_at: Date;
  published_at: Date | null;
}

/** Every service's outbox (each in its own schema of the cluster's database), oldest first. */
export async function readOutboxes(databaseUrl: string): Promise<OutboxRow[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const union = SERVICE_NAMES.map(
      (service) =>
        `SELECT '${service}' AS service, id::text, name, envelope->'data' AS data, created_at, published_at
           FROM ${service}.outbox`,
    ).join(' UNION ALL ');
    const { rows } = await client.query<OutboxRow>(`${union} ORDER BY created_at`);
    return rows;
  } finally {
    await client.end();
  }
}

/** The id of every event the stream holds, in stream order (one entry per stored message). */
export async function readStreamEventIds(natsUrl: string, stream: string): Promise<string[]> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    const { state } = await jsm.streams.info(stream);
    const codec = JSONCodec<{ id: string }>();
    const ids: string[] = [];
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
      const message = await jsm.streams.getMessage(stream, { seq });
      ids.push(codec.decode(message.data).id);
    }
    return ids;
  } finally {
    await nc.close();
  }
}
