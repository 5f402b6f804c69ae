import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { PROBLEM_TYPES, PROBLEM_TYPE_PREFIX, type ProblemSlug } from '../errors';
import type { Logger } from '../logger';
import type { NodeReadiness } from './readiness';

export interface OpsServerOptions {
  port: number;
  host: string;
  readiness: NodeReadiness;
  metrics: Registry;
  logger: Logger;
}

export interface OpsServer {
  /** The port it listens on (the one asked for, or the one the system chose for 0). */
  port: number;
  close(): Promise<void>;
}

type Route = (res: ServerResponse) => Promise<void>;

/**
 * What orchestrators and Prometheus ask a service process, which has no HTTP API of its own:
 * `GET /health/live` (the process runs), `GET /health/ready` (see NodeReadiness) and
 * `GET /metrics`. Three fixed routes, so plain node:http rather than a framework.
 */
export async function startOpsServer({ port, host, readiness, metrics, logger }: OpsServerOptions): Promise<OpsServer> {
  const routes: Record<string, Route> = {
    '/health/live': async (res) => sendJson(res, 200, { status: 'ok' }),
    '/health/ready': async (res) => {
      const status = await readiness.check();
      sendJson(res, status === 'ok' ? 200 : 503, { status });
    },
    '/metrics': async (res) => {
      const text = await metrics.metrics();
      res.writeHead(200, { 'content-type': metrics.contentType }).end(text);
    },
  };

  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const route = req.method === 'GET' ? routes[path] : undefined;
    if (!route) {
      sendProblem(res, 'not-found', `No route for ${req.method} ${path}`, path);
      return;
    }
    route(res).catch((err) => {
      logger.error({ err, path }, 'ops endpoint failed');
      if (!res.headersSent) sendProblem(res, 'internal', 'An unexpected error occurred; it has been logged', path);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  logger.info({ address: `http://${address.address}:${address.port}` }, 'ops endpoints listening');

  return {
    port: address.port,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

function sendJson(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

/** The same problem+json shape as the gateway's answers (API.md, "Conventions"). */
function sendProblem(res: ServerResponse, slug: ProblemSlug, detail: string, instance: string): void {
  const { status, title } = PROBLEM_TYPES[slug];
  res
    .writeHead(status, { 'content-type': 'application/problem+json; charset=utf-8' })
    .end(JSON.stringify({ type: `${PROBLEM_TYPE_PREFIX}${slug}`, title, status, detail, instance }));
}
