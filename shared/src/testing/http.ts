export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as application/x-www-form-urlencoded instead of JSON. */
  form?: Record<string, string>;
  /** Sent as-is with content-type application/json (for malformed JSON, or bytes that are not UTF-8). */
  raw?: string | Uint8Array;
  token?: string;
  headers?: Record<string, string>;
  /** Aborts the request, e.g. `AbortSignal.timeout(ms)` so a hang fails rather than waits forever. */
  signal?: AbortSignal;
}

/** A tiny HTTP client for the gateway: JSON in and out, and the status and headers kept. */
export function apiClient(baseUrl: string) {
  return async function api<T = any>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Uint8Array | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.raw !== undefined) {
      headers['content-type'] = 'application/json';
      body = options.raw;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body, signal: options.signal });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T };
  };
}

export type Api = ReturnType<typeof apiClient>;

/** Problem+json as the contract requires it. */
export function expectProblem(res: { status: number; headers: Headers; body: any }, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    status,
    title: expect.any(String),
    detail: expect.any(String),
    type: expect.any(String),
  });
}

/** One request a test file made and the status it got. */
export interface Answered {
  request: string;
  status: number;
}

/**
 * The client `current()` gives (a cluster started later), keeping every answer in `answered`,
 * so that a file's last test can check that none was a 500.
 */
export function recordingApi(current: () => Api): { api: Api; answered: Answered[] } {
  const answered: Answered[] = [];
  const api = async <T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>> => {
    const res = await current()<T>(method, path, options);
    answered.push({ request: `${method} ${path}`, status: res.status });
    return res;
  };
  return { api, answered };
}

/** Polls `url` until `accept(status, body)` holds. */
export async function waitFor(
  url: string,
  accept: (status: number, body: any) => boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON
      }
      if (accept(response.status, body)) return;
      last = `${response.status} ${text.slice(0, 300)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms: ${last}`);
}

/**
 * Asserts that a browser app on `origin` may call `url` with every method the API routes and
 * the request headers its clients send, as a CORS preflight for a DELETE tells it.
 */
export async function expectPreflightAllowsApiCalls(url: string, origin: string): Promise<void> {
  const res = await fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'DELETE',
      'access-control-request-headers': 'authorization, content-type, idempotency-key, x-request-id',
    },
  });
  expect(res.status).toBe(204);
  const methods = (res.headers.get('access-control-allow-methods') ?? '').split(/,\s*/);
  expect(methods).toEqual(expect.arrayContaining(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS']));
  const headers = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/,\s*/);
  expect(headers).toEqual(expect.arrayContaining(['authorization', 'content-type', 'idempotency-key', 'x-request-id']));
}
