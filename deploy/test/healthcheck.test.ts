import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from './support';

/** deploy/healthcheck.js, run as the container runs it, against a stand-in for a TicketPro process. */

const SCRIPT = path.join(REPO_ROOT, 'deploy/healthcheck.js');

function runHealthcheck(env: Record<string, string>, args: string[] = []): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SCRIPT, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env } },
      (error, _stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, stderr });
      },
    );
  });
}

describe('deploy/healthcheck.js', () => {
  let server: http.Server;
  let port: string;
  let status: number;
  const asked: string[] = [];

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      asked.push(request.url ?? '');
      response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = String((server.address() as AddressInfo).port);
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    status = 200;
    asked.length = 0;
  });

  it("passes when a service's /health/live answers 200 on OPS_PORT", async () => {
    await expect(runHealthcheck({ SERVICE: 'ordering', OPS_PORT: port })).resolves.toEqual({ code: 0, stderr: '' });
    expect(asked).toEqual(['/health/live']);
  });

  it('asks /health/ready when told to', async () => {
    await expect(runHealthcheck({ SERVICE: 'catalog', OPS_PORT: port }, ['ready'])).resolves.toMatchObject({ code: 0 });
    expect(asked).toEqual(['/health/ready']);
  });

  it('asks the gateway on PORT, not OPS_PORT', async () => {
    await expect(runHealthcheck({ SERVICE: 'gateway', PORT: port, OPS_PORT: '1' })).resolves.toMatchObject({ code: 0 });
    expect(asked).toEqual(['/health/live']);
  });

  it('fails on any other status, e.g. 503 while draining', async () => {
    status = 503;
    const result = await runHealthcheck({ SERVICE: 'identity', OPS_PORT: port }, ['ready']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('/health/ready answered 503');
  });

  it('fails when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = String((closed.address() as AddressInfo).port);
    await new Promise((resolve) => closed.close(resolve));
    const result = await runHealthcheck({ SERVICE: 'ticketing', OPS_PORT: freePort });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('did not answer');
  });

  it('fails for a service without OPS_PORT, which serves no health endpoint', async () => {
    const result = await runHealthcheck({ SERVICE: 'ordering' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('OPS_PORT is not set');
    expect(asked).toEqual([]);
  });

  it('refuses an unknown probe', async () => {
    const result = await runHealthcheck({ SERVICE: 'ordering', OPS_PORT: port }, ['startup']);
    expect(result.code).toBe(2);
    expect(asked).toEqual([]);
  });
});
