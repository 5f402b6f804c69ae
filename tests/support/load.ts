import { type Api, type ApiResponse, type RequestOptions } from '@ticketpro/shared/testing';
/** How one logical request ended: the gateway's last answer, or no answer at all. */
export type FinalAnswer = ApiResponse | { status: 'timeout' | 'network-error'; error: string };

export interface RequestOutcome {
  /** What the request was for, e.g. `create order`, for the figures. */
  label: string;
  method: string;
  path: string;
  attempts: number;
  /** What each attempt before the last was answered, e.g. `503`. */
  retriedOn: string[];
  answer: FinalAnswer;
  /** When the first attempt was sent, ms since the client was made. */
  startedAtMs: number;
  /** When the last answer came (or the client gave up), ms since the client was made. */
  answeredAtMs: number;
}

export interface RetryPolicy {
  /** A request taking longer than this counts as a hang; well above the services' request timeout. */
  clientTimeoutMs: number;
  /** Attempts per logical request, the first included. */
  maxAttempts: number;
  /** Waits between attempts: Retry-After when the gateway gives one, at most this long. */
  maxRetryDelayMs: number;
}

/**
 * The answers that ask the client to come back: 503 (a backing service is unavailable), and the
 * 409 a repeat of an Idempotency-Key gets while the first request with that key is still running
 * (or died with its instance, until ordering takes its claim over).
 */
function asksForRetry(response: ApiResponse): boolean {
  if (response.status === 503) return true;
  const detail = (response.body as { detail?: unknown } | undefined)?.detail;
  return response.status === 409 && typeof detail === 'string' && /still in progress; retry later/.test(detail);
}

/**
 * A client that retries the answers that ask for it a bounded number of times, as a well-behaved
 * API client does, and keeps every outcome for the figures. A POST retried carries the same
 * Idempotency-Key, which the caller puts in the headers once per logical request.
 */
export class RetryingClient {
  readonly outcomes: RequestOutcome[] = [];
  /** Epoch ms the client was made; outcomes' `startedAtMs` count from here. */
  readonly startedAt = Date.now();

  constructor(
    private readonly api: Api,
    private readonly policy: RetryPolicy,
  ) {}

  async send(label: string, method: string, path: string, options: RequestOptions = {}): Promise<RequestOutcome> {
    const startedAtMs = Date.now() - this.startedAt;
    const retriedOn: string[] = [];
    for (;;) {
      const answer = await this.attempt(method, path, options);
      const attempts = retriedOn.length + 1;
      if (!('headers' in answer) || !asksForRetry(answer) || attempts >= this.policy.maxAttempts) {
        const answeredAtMs = Date.now() - this.startedAt;
        const outcome = { label, method, path, attempts, retriedOn, answer, startedAtMs, answeredAtMs };
        this.outcomes.push(outcome);
        return outcome;
      }
      retriedOn.push(answer.status === 409 ? '409 still in progress' : String(answer.status));
      await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs(answer, attempts)));
    }
  }

  private async attempt(method: string, path: string, options: RequestOptions): Promise<FinalAnswer> {
    try {
      return await this.api(method, path, { ...options, signal: AbortSignal.timeout(this.policy.clientTimeoutMs) });
    } catch (err) {
      const error = err as Error;
      const status = error.name === 'TimeoutError' || error.name === 'AbortError' ? 'timeout' : 'network-error';
      return { status, error: `${error.name}: ${error.message}` };
    }
  }

  private retryDelayMs(response: ApiResponse, attempt: number): number {
    const retryAfterSeconds = Number(response.headers.get('retry-after'));
    const backoff = 200 * 2 ** (attempt - 1);
    const asked = Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0 ? retryAfterSeconds * 1000 : backoff;
    return Math.min(asked, this.policy.maxRetryDelayMs);
  }

  /** The figures: logical requests sent, attempts, retried ones, and final answers by status. */
  summary(): LoadSummary {
    const byStatus: Record<string, number> = {};
    const byLabel: Record<string, Record<string, number>> = {};
    const retriesByAnswer: Record<string, number> = {};
    let attempts = 0;
    let retried = 0;
    for (const o of this.outcomes) {
      const status = String(o.answer.status);
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      byLabel[o.label] ??= {};
      byLabel[o.label][status] = (byLabel[o.label][status] ?? 0) + 1;
      attempts += o.attempts;
      if (o.attempts > 1) retried += 1;
      for (const why of o.retriedOn) retriesByAnswer[why] = (retriesByAnswer[why] ?? 0) + 1;
    }
    return { sent: this.outcomes.length, attempts, retried, retriesByAnswer, byStatus, byLabel };
  }
}

export interface LoadSummary {
  sent: number;
  attempts: number;
  /** Logical requests that needed more than one attempt. */
  retried: number;
  /** Attempts that were retried, by the answer that asked for it. */
  retriesByAnswer: Record<string, number>;
  byStatus: Record<string, number>;
  byLabel: Record<string, Record<string, number>>;
}

export interface SteadyLoad {
  /** Lets each worker finish the round it is in, then resolves; rejects if a worker threw. */
  stop(): Promise<void>;
}

/**
 * Runs `round` over and over in `workers` parallel loops until stopped: a steady flow of
 * requests. A round that throws stops every loop, and `stop()` rethrows its error.
 */
export function startSteadyLoad(workers: number, round: (worker: number) => Promise<void>): SteadyLoad {
  let stopping = false;
  const loops = Array.from({ length: workers }, async (_, worker) => {
    try {
      while (!stopping) await round(worker);
    } catch (err) {
      stopping = true;
      throw err;
    }
  });
  const all = Promise.all(loops);
  all.catch(() => undefined);
  return {
    async stop() {
      stopping = true;
      await all;
    },
  };
}
