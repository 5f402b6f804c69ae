import { randomUUID } from 'node:crypto';
import { SERVICE_NAMES, type ServiceName } from '@ticketpro/shared';
import type { Cluster } from './cluster';
import { RetryingClient, startSteadyLoad, type RequestOutcome } from './load';
import { createEvent, createTicketType } from './sales';
import { register, type Registered } from './users';

export interface FailoverOptions {
  /** Buyers, each one loop of requests back to back. */
  workers: number;
  /** The load measured before the first kill: the steady p99 comes from it. */
  steadyMs: number;
  /** How long after each kill its requests are measured, before the next kill. */
  windowMs: number;
}

export interface WindowFigures {
  /** `steady`, or the service one instance of which was killed at the window's start. */
  window: 'steady' | ServiceName;
  /** Requests answered within the window, the ones in flight at the kill among them. */
  answered: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** p99 of the requests sent within the window (after the kill): where new calls went. */
  sentP99Ms: number;
  /** Answers other than 2xx within the window, by status. */
  failures: Record<string, number>;
}

export interface FailoverFigures {
  windows: WindowFigures[];
  /** Every answer that was not a 2xx, for a failure message. */
  failed: string[];
  requests: number;
}

/**
 * What a buyer does, over and over: read the event, sign in now and then, read their account,
 * order one unit (with an Idempotency-Key, as a client that may repeat it must), pay for every
 * other order, read the order and their tickets. Every service is on the path.
 */
function buyerRound(client: RetryingClient, eventId: number, ticketTypeId: number, buyers: Registered[]) {
  let rounds = 0;
  return async (worker: number) => {
    const buyer = buyers[worker];
    rounds += 1;
    await client.send('read event', 'GET', `/api/v1/events/${eventId}`);
    if (rounds % 8 === 0) {
      await client.send('login', 'POST', '/api/v1/auth/login', {
        body: { email: buyer.email, password: buyer.password },
      });
    }
    await client.send('read me', 'GET', '/api/v1/auth/me', { token: buyer.access });
    const created = await client.send('create order', 'POST', '/api/v1/orders', {
      token: buyer.access,
      headers: { 'idempotency-key': randomUUID() },
      body: {
        event_id: eventId,
        payment_method: 'credit_card',
        items: [{ ticket_type_id: ticketTypeId, quantity: 1 }],
      },
    });
    if (created.answer.status !== 201) return;
    const orderId = (created.answer as { body: { id: number } }).body.id;
    if (rounds % 2 === 0) {
      await client.send('pay order', 'POST', `/api/v1/orders/${orderId}/pay`, {
        token: buyer.access,
        headers: { 'idempotency-key': randomUUID() },
      });
    }
    await client.send('read order', 'GET', `/api/v1/orders/${orderId}`, { token: buyer.access });
    await client.send('read tickets', 'GET', '/api/v1/tickets', { token: buyer.access });
  };
}

/**
 * Issue 14's failover scenario on a cluster with two instances of every service: steady load
 * from `workers` buyers, then one instance of each service SIGKILLed in turn, `windowMs` apart.
 * The client never retries: every answer it gets is the one a buyer would see.
 */
export async function runFailover(cluster: Cluster, options: FailoverOptions): Promise<FailoverFigures> {
  const organizer = await register(cluster.api, { role: 'organizer' });
  const eventId = (await createEvent(cluster.api, organizer.access)).id;
  const ticketTypeId = (await createTicketType(cluster.api, organizer.access, eventId, { quantity: 100_000 })).id;
  // One at a time: argon2id is slow by design.
  const buyers: Registered[] = [];
  for (let i = 0; i < options.workers; i++) buyers.push(await register(cluster.api));

  const client = new RetryingClient(cluster.api, { clientTimeoutMs: 30_000, maxAttempts: 1, maxRetryDelayMs: 0 });
  const load = startSteadyLoad(options.workers, buyerRound(client, eventId, ticketTypeId, buyers));
  const now = () => Date.now() - client.startedAt;
  const marks: { window: WindowFigures['window']; fromMs: number }[] = [];
  try {
    // A warm-up round first: the first calls of each process compile and connect.
    await sleep(Math.min(3000, options.steadyMs));
    marks.push({ window: 'steady', fromMs: now() });
    await sleep(options.steadyMs);
    for (const role of SERVICE_NAMES) {
      const victim = cluster.processes.find((p) => p.name === role && p.child.exitCode === null && !p.child.signalCode);
      if (!victim) throw new Error(`no live ${role} instance to kill`);
      marks.push({ window: role, fromMs: now() });
      await victim.stop('SIGKILL');
      await sleep(options.windowMs);
    }
  } finally {
    await load.stop();
  }
  const endMs = now();
  const windows = marks.map((mark, i) =>
    windowFigures(client.outcomes, mark.window, mark.fromMs, marks[i + 1]?.fromMs ?? endMs),
  );
  const failed = client.outcomes.filter((o) => !isSuccess(o)).map(describeOutcome);
  return { windows, failed, requests: client.outcomes.length };
}

function windowFigures(
  outcomes: RequestOutcome[],
  window: WindowFigures['window'],
  fromMs: number,
  toMs: number,
): WindowFigures {
  const answered = outcomes.filter((o) => o.answeredAtMs >= fromMs && o.answeredAtMs < toMs);
  const sent = outcomes.filter((o) => o.startedAtMs >= fromMs && o.startedAtMs < toMs);
  const durations = answered.map(durationOf).sort((a, b) => a - b);
  const failures: Record<string, number> = {};
  for (const o of answered.filter((o) => !isSuccess(o))) {
    failures[String(o.answer.status)] = (failures[String(o.answer.status)] ?? 0) + 1;
  }
  return {
    window,
    answered: answered.length,
    p50Ms: percentile(durations, 0.5),
    p99Ms: percentile(durations, 0.99),
    maxMs: durations.at(-1) ?? 0,
    sentP99Ms: percentile(
      sent.map(durationOf).sort((a, b) => a - b),
      0.99,
    ),
    failures,
  };
}

const durationOf = (o: RequestOutcome) => o.answeredAtMs - o.startedAtMs;

/** The value below which `share` of the sorted values lie (nearest rank). */
function percentile(sorted: number[], share: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)];
}

function isSuccess(o: RequestOutcome): boolean {
  return typeof o.answer.status === 'number' && o.answer.status >= 200 && o.answer.status < 300;
}

function describeOutcome(o: RequestOutcome): string {
  const answer = 'error' in o.answer ? o.answer.error : JSON.stringify(o.answer.body).slice(0, 300);
  return `${o.label} ${o.method} ${o.path} sent at ${o.startedAtMs} ms, answered after ${durationOf(o)} ms: ${o.answer.status} ${answer}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
