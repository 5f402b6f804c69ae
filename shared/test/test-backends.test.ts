import { freePort } from '@ticketpro/tests/support/processes';
import {
  backendTargets,
  planTestBackends,
  probe,
  provideTestBackends,
  type BackendTarget,
  type DockerStatus,
  type Finding,
} from '@ticketpro/tests/support/test-backends';

jest.setTimeout(60_000);

const localPostgres: BackendTarget = {
  backend: 'postgres',
  url: 'postgres://postgres@127.0.0.1:5432/postgres',
  configured: false,
};
const localNats: BackendTarget = { backend: 'nats', url: 'nats://127.0.0.1:4222', configured: false };
const answers = (target: BackendTarget): Finding => ({ target, result: { ok: true } });
const silent = (target: BackendTarget): Finding => ({ target, result: { ok: false, reason: 'connect ECONNREFUSED' } });
const docker: DockerStatus = { available: true };
const noDocker: DockerStatus = { available: false, reason: 'Could not find a working container runtime strategy' };

function failure(findings: Finding[], dockerStatus: DockerStatus): string {
  const plan = planTestBackends(findings, dockerStatus);
  if (!('fail' in plan)) throw new Error(`expected the run to fail, got ${JSON.stringify(plan)}`);
  return plan.fail;
}

describe('planTestBackends', () => {
  it('starts nothing when both servers answer, Docker or not', () => {
    expect(planTestBackends([answers(localPostgres), answers(localNats)], noDocker)).toEqual({ start: [] });
    expect(planTestBackends([answers(localPostgres), answers(localNats)], docker)).toEqual({ start: [] });
  });

  it('starts a container for each default-port server that is silent, where Docker runs', () => {
    expect(planTestBackends([silent(localPostgres), answers(localNats)], docker)).toEqual({ start: ['postgres'] });
    expect(planTestBackends([silent(localPostgres), silent(localNats)], docker)).toEqual({
      start: ['postgres', 'nats'],
    });
  });

  it('fails, naming what is missing and each way to fix it, when a server is silent and Docker is absent', () => {
    const message = failure([answers(localPostgres), silent(localNats)], noDocker);
    expect(message).toContain('The tests need NATS with JetStream, and cannot get it:');
    expect(message).toContain('NATS with JetStream at nats://127.0.0.1:4222: connect ECONNREFUSED');
    expect(message).toContain(`no Docker engine answers, so testcontainers cannot start it: ${noDocker.reason}`);
    expect(message).toContain('start `nats-server -js` on 127.0.0.1:4222');
    expect(message).toContain('set TEST_NATS_URL to a server that runs');
    expect(message).toContain('run a Docker engine');
    expect(message).not.toContain('PostgreSQL');
  });

  it('does not replace a server named by TEST_DATABASE_URL with a container, and hides its password', () => {
    const configured: BackendTarget = {
      backend: 'postgres',
      url: 'postgres://ci:s3cret@db.example:5432/postgres',
      configured: true,
    };
    const message = failure([silent(configured), answers(localNats)], docker);
    expect(message).toContain(
      'PostgreSQL at postgres://ci:***@db.example:5432/postgres (from TEST_DATABASE_URL): connect ECONNREFUSED',
    );
    expect(message).toContain('correct TEST_DATABASE_URL');
    expect(message).not.toContain('s3cret');
    expect(message).not.toContain('Docker engine answers');
  });
});

describe('probe', () => {
  it('finds the servers the tests run against', async () => {
    const results = await Promise.all(backendTargets().map(probe));
    expect(results).toEqual([{ ok: true }, { ok: true }]);
  });

  it('reports a closed port with the reason', async () => {
    const port = await freePort();
    const result = await probe({ backend: 'nats', url: `nats://127.0.0.1:${port}`, configured: false });
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/\S/) });
  });
});

describe('provideTestBackends', () => {
  it('fails the run plainly when nothing answers and there is no Docker engine (none runs here)', async () => {
    const [pgPort, natsPort] = [await freePort(), await freePort()];
    const before = { db: process.env.TEST_DATABASE_URL, nats: process.env.TEST_NATS_URL };
    const run = provideTestBackends([
      { backend: 'postgres', url: `postgres://postgres@127.0.0.1:${pgPort}/postgres`, configured: false },
      { backend: 'nats', url: `nats://127.0.0.1:${natsPort}`, configured: false },
    ]);
    await expect(run).rejects.toThrow(/^The tests need PostgreSQL and NATS with JetStream, and cannot get them:/);
    const message = await run.catch((err: Error) => err.message);
    expect(message).toContain(`PostgreSQL at postgres://postgres@127.0.0.1:${pgPort}/postgres: `);
    expect(message).toContain(`NATS with JetStream at nats://127.0.0.1:${natsPort}: `);
    expect(message).toContain('no Docker engine answers, so testcontainers cannot start them');
    expect(message).toContain('set TEST_DATABASE_URL / TEST_NATS_URL to servers that run');
    expect({ db: process.env.TEST_DATABASE_URL, nats: process.env.TEST_NATS_URL }).toEqual(before);
  });
});
