import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import {
  ConflictError,
  hasSqlState,
  ProblemError,
  UnprocessableError,
  isProblemSlug,
  prepared,
  runNamed,
  type ActionName,
  type NamedStatement,
  type PooledConnection,
  type ProblemSlug,
} from '@ticketpro/shared';
import { requestHash } from './request-hash';
import { leaseEnd, whileRenewing } from './lease';
import type { Claimant } from './claimant';

/** How long a key's first answer is replayed. */
export const IDEMPOTENCY_WINDOW_HOURS = 24;

const POLL_MS = 50;

export interface IdempotentRequest {
  userId: number;
  /** The client's Idempotency-Key; without one the work simply runs. */
  key?: string;
  /** Part of the request's fingerprint, with the params: one key cannot stand for two kinds of request. */
  action: ActionName;
  params: object;
  /** The HTTP status the gateway answers a success with, stored with the body. */
  status: number;
  /** How long a repeat waits for the first request with its key to finish. */
  waitMs: number;
  /** Named in the claim; a repeat takes over a claim whose holder is gone. */
  claimant: Claimant;
}

/**
 * A repeat gives up waiting before its caller's timeout does, to answer 409 rather than time out:
 * the call's own timeout (the action's, from its contract), else `REQUEST_TIMEOUT_MS`.
 */
export function repeatWaitMs(callTimeoutMs: number | undefined, config: { REQUEST_TIMEOUT_MS: number }): number {
  return Math.floor((callTimeoutMs || config.REQUEST_TIMEOUT_MS) * 0.8);
}

type StoredResponse =
  | { status: number; body: unknown }
  | { status: number; problem: { type: ProblemSlug; detail: string; data?: Record<string, unknown> } };

/** `free`: the key's row went away or its lease ran out since the claim was tried; try again at once. */
type Claim =
  | { kind: 'claimed'; token: string; resumed: boolean }
  | { kind: 'answered'; response: StoredResponse }
  | { kind: 'in-progress' }
  | { kind: 'free' };

/**
 * `resumed`: the key was taken over from a request whose process died before it stored its
 * answer, so that request's work may be done, in part or whole; the work must then answer as the
 * first attempt would have, not refuse its own effects (a paid order is the payment's success).
 */
export interface Attempt {
  resumed: boolean;
  /**
   * The UPDATE that stores `body` as the key's answer, for work whose last statement commits all
   * its effects: embedded in that statement (as a data-modifying CTE), the answer commits with
   * them and costs no round trip of its own. `body` is then the answer, whatever the work
   * returns. The statement names it `answered` and holds `CLAIM_STILL_HELD` in its main query's
   * WHERE: if the claim was taken over meanwhile, the statement fails whole and commits nothing.
   * Undefined without an Idempotency-Key (nothing to store).
   */
  answerInStatement?: (body: unknown) => Knex.QueryBuilder;
}

/**
 * For the main query of a statement that embeds `Attempt.answerInStatement` as `answered`: true
 * when the answer was stored under this attempt's claim, else it aborts the statement with
 * SQLSTATE `TPK01` (migration 013), so that its other writes (the order) are undone with it.
 */
export const CLAIM_STILL_HELD = 'idempotency_claim_held(EXISTS (SELECT FROM answered))';
const CLAIM_TAKEN_OVER = 'TPK01';

/** What an attempt whose claim was taken over (its holder taken for dead) stored: nothing. */
const LOST_CLAIM = Symbol('lost claim');

/**
 * Runs `work` once per (user, key) within the window: a repeat with the same request replays the
 * stored answer (the body, or the same problem) and does nothing else; the same key with another
 * request is 422. The first request claims the key in a single statement and keeps no
 * transaction open while it works (a payment commits its steps as it goes, and embedded
 * PGlite has a single connection); a concurrent repeat waits for the answer and replays it.
 * Errors that are not problems (crashes, 5xx) drop the claim, so the client may retry; a claim
 * whose request died with its process is taken over at once when its node is known gone (a
 * SIGKILL, a crash: see Claimant), else once its lease runs out.
 *
 * Each claim has a token, and the work's answer is stored only while the claim still carries it:
 * an attempt taken for dead that was only slow stores nothing (and an order, whose answer is
 * stored in its own statement, is not written), and then waits for the answer like any repeat.
 */
export async function idempotent<T>(
  db: Knex,
  request: IdempotentRequest,
  work: (attempt: Attempt) => Promise<T>,
): Promise<T> {
  const { key } = request;
  if (key === undefined) return work({ resumed: false });
  const hash = requestHash(request.action, request.params);
  const deadline = Date.now() + request.waitMs;
  // Once this request's own attempt lost its claim, its work may be done in part or whole.
  let lostClaim = false;
  for (;;) {
    const claim = await claimKey(db, request, key, hash);
    if (claim.kind === 'answered') return replay<T>(claim.response);
    if (claim.kind === 'claimed') {
      const stored = await runAndStore(db, request, key, claim.token, claim.resumed || lostClaim, work);
      if (stored !== LOST_CLAIM) return replay<T>(stored);
      lostClaim = true;
      continue;
    }
    if (claim.kind === 'free') continue;
    if (Date.now() > deadline) {
      throw new ConflictError('A request with this Idempotency-Key is still in progress; retry later');
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Inserts the claim, or takes over a row the key may be reused from: one past the window, or an
 * unanswered one of the same request whose lease ran out. ON CONFLICT locks the existing row, so
 * of two requests racing on a key exactly one gets a row back, and a new key costs one round trip.
 * Prepared (every order runs it).
 * `resumed` reads the row as it was before: unanswered, its lease run out.
 */
const CLAIM_KEY = `
  WITH before AS (
    SELECT response IS NULL AND lease_expires_at <= now() AS abandoned
    FROM idempotency_keys WHERE user_id = :userId AND key = :key
  )
  INSERT INTO idempotency_keys AS claimed
    (user_id, key, request_hash, response, created_at, lease_expires_at, claim_token, claimed_by)
  VALUES (:userId, :key, :hash, NULL, now(), :leaseEnd, :token, :nodeID)
  ON CONFLICT (user_id, key) DO UPDATE
    SET request_hash = excluded.request_hash,
        response = NULL,
        created_at = excluded.created_at,
        lease_expires_at = excluded.lease_expires_at,
        claim_token = excluded.claim_token,
        claimed_by = excluded.claimed_by
    WHERE claimed.created_at <= now() - make_interval(hours => :windowHours)
       OR (claimed.response IS NULL AND claimed.lease_expires_at <= now() AND claimed.request_hash = excluded.request_hash)
  RETURNING coalesce((SELECT abandoned FROM before), false) AS resumed`;

async function claimKey(db: Knex, request: IdempotentRequest, key: string, hash: string): Promise<Claim> {
  const { userId, claimant } = request;
  const token = randomUUID();
  const claimed = await prepared(
    db.raw<{ rows: { resumed: boolean }[] }>(CLAIM_KEY, {
      userId,
      key,
      hash,
      token,
      nodeID: claimant.nodeID,
      leaseEnd: leaseEnd(db),
      windowHours: IDEMPOTENCY_WINDOW_HOURS,
    }),
  );
  if (claimed.rows.length > 0) return { kind: 'claimed', token, resumed: claimed.rows[0].resumed };
  const row:
    | {
        request_hash: string;
        response: StoredResponse | null;
        abandoned: boolean | null;
        claim_token: string | null;
        claimed_by: string | null;
      }
    | undefined = await db('idempotency_keys')
    .where({ user_id: userId, key })
    .where('created_at', '>', db.raw(`now() - make_interval(hours => ?)`, [IDEMPOTENCY_WINDOW_HOURS]))
    .first('request_hash', 'response', 'claim_token', 'claimed_by', db.raw('lease_expires_at <= now() AS abandoned'));
  if (!row) return { kind: 'free' };
  if (row.request_hash !== hash) {
    throw new UnprocessableError('This Idempotency-Key was already used with a different request', [
      { field: 'Idempotency-Key', message: 'was already used with a different request' },
    ]);
  }
  if (row.response) return { kind: 'answered', response: row.response };
  if (row.abandoned) return { kind: 'free' };
  if (row.claim_token !== null && row.claimed_by !== null && (await claimant.holderGone(row.claimed_by))) {
    return takeOver(db, request, key, row.claim_token);
  }
  return { kind: 'in-progress' };
}

/** Takes over the claim `heldToken` names, unless it was answered or taken over since. */
async function takeOver(db: Knex, request: IdempotentRequest, key: string, heldToken: string): Promise<Claim> {
  const token = randomUUID();
  const taken = await db('idempotency_keys')
    .where({ user_id: request.userId, key, claim_token: heldToken })
    .whereNull('response')
    .update({ claim_token: token, claimed_by: request.claimant.nodeID, lease_expires_at: leaseEnd(db) });
  return taken === 1 ? { kind: 'claimed', token, resumed: true } : { kind: 'free' };
}

async function runAndStore<T>(
  db: Knex,
  request: IdempotentRequest,
  key: string,
  token: string,
  resumed: boolean,
  work: (attempt: Attempt) => Promise<T>,
): Promise<StoredResponse | typeof LOST_CLAIM> {
  const { status } = request;
  const claim = () => db('idempotency_keys').where({ user_id: request.userId, key, claim_token: token });
  let answeredInStatement: { body: unknown } | undefined;
  const attempt: Attempt = {
    resumed,
    answerInStatement: (body) => {
      answeredInStatement = { body };
      return claim().whereNull('response').update({ response: { status, body } }, ['user_id']);
    },
  };
  let response: StoredResponse;
  const renew = () =>
    prepared(
      claim()
        .whereNull('response')
        .update({ lease_expires_at: leaseEnd(db) }),
    );
  try {
    const body = await whileRenewing(renew, () => work(attempt));
    // The work came back, so the statement that stored its answer committed.
    if (answeredInStatement) return { status, body: answeredInStatement.body };
    response = { status, body };
  } catch (err) {
    if (hasSqlState(err, CLAIM_TAKEN_OVER)) return LOST_CLAIM;
    const problem = asStorableProblem(err);
    if (!problem) {
      await claim().whereNull('response').delete();
      throw err;
    }
    response = { status: problem.code, problem: { type: problem.type, detail: problem.message, data: problem.data } };
  }
  const stored = await claim().whereNull('response').update({ response });
  return stored === 1 ? response : LOST_CLAIM;
}

function replay<T>(stored: StoredResponse): T {
  if ('problem' in stored) {
    const { type, detail, data } = stored.problem;
    throw new ProblemError(type, detail, data);
  }
  return stored.body as T;
}

/** A client error (4xx problem) is an answer worth replaying; anything else may go better next time. */
function asStorableProblem(err: unknown): (ProblemError & { type: ProblemSlug }) | undefined {
  const e = err as ProblemError;
  if (!(e instanceof Error) || typeof e.code !== 'number' || e.code < 400 || e.code >= 500) return undefined;
  if (!isProblemSlug(e.type)) return undefined;
  return e as ProblemError & { type: ProblemSlug };
}

/**
 * Run by every expiry sweep (every 5 s per instance, nearly always to delete nothing), on the
 * connection it asks its questions on: a named statement straight through the driver, not knex's
 * builder and runner (docs/PERFORMANCE.md).
 */
const FORGET_OLD_KEYS: NamedStatement = {
  name: 'idempotency_keys_forget_old',
  text: `WITH forgotten AS (
           DELETE FROM idempotency_keys WHERE created_at <= now() - make_interval(hours => $1) RETURNING 1
         )
         SELECT count(*)::int AS forgotten FROM forgotten`,
};

/** Forgets answers older than the window; resolves to how many. */
export async function forgetOldKeys(connection: PooledConnection): Promise<number> {
  const [answer] = (await runNamed(connection, FORGET_OLD_KEYS, [IDEMPOTENCY_WINDOW_HOURS])) as { forgotten: number }[];
  return answer?.forgotten ?? 0;
}
