/**
 * Jest globalSetup: makes sure the tests have PostgreSQL and NATS with JetStream, found in the
 * order DESIGN.md gives — the servers TEST_DATABASE_URL / TEST_NATS_URL name, else the ones on
 * the default local ports, else containers that testcontainers starts where a Docker engine runs —
 * and fails the whole run with one plain message when none of that works. Nothing is skipped.
 * Workers inherit the environment set here, and so do the processes the e2e tests spawn (their
 * URLs come from adminDatabaseUrl() and testNatsUrl()).
 */
import { connect } from 'nats';
import { Client } from 'pg';
import type { StartedTestContainer } from 'testcontainers';
// Not '@ticketpro/shared/testing': it loads the configuration schema, seconds on a busy machine.
import { adminDatabaseUrl, testNatsUrl } from '@ticketpro/shared/src/testing/urls';

export type Backend = 'postgres' | 'nats';

export interface BackendTarget {
  backend: Backend;
  url: string;
  /** Named by TEST_DATABASE_URL / TEST_NATS_URL rather than the local default. */
  configured: boolean;
}

export type ProbeResult = { ok: true } | { ok: false; reason: string };

export interface Finding {
  target: BackendTarget;
  result: ProbeResult;
}

export type DockerStatus = { available: true } | { available: false; reason: string };

/** Either the backends to start in containers (none when everything answers), or why the run fails. */
export type BackendPlan = { start: Backend[] } | { fail: string };

const NAMES: Record<Backend, string> = { postgres: 'PostgreSQL', nats: 'NATS with JetStream' };
const ENV_VARS: Record<Backend, string> = { postgres: 'TEST_DATABASE_URL', nats: 'TEST_NATS_URL' };
const PROBE_TIMEOUT_MS = 2000;

export function backendTargets(): BackendTarget[] {
  return [
    { backend: 'postgres', url: adminDatabaseUrl(), configured: process.env.TEST_DATABASE_URL !== undefined },
    { backend: 'nats', url: testNatsUrl(), configured: process.env.TEST_NATS_URL !== undefined },
  ];
}

type Missing = Finding & { result: { ok: false; reason: string } };

const isMissing = (finding: Finding): finding is Missing => !finding.result.ok;

/**
 * A server named explicitly that does not answer is a mistake to report, not to paper over with a
 * container: the run would test against another server than the one asked for.
 */
export function planTestBackends(findings: readonly Finding[], docker: DockerStatus): BackendPlan {
  const missing = findings.filter(isMissing);
  const misconfigured = missing.filter((f) => f.target.configured);
  const replaceable = missing.filter((f) => !f.target.configured);
  if (misconfigured.length === 0 && (replaceable.length === 0 || docker.available)) {
    return { start: replaceable.map((f) => f.target.backend) };
  }
  return { fail: failureMessage(misconfigured, docker.available ? [] : replaceable, docker) };
}

const LOCAL_SERVERS: Record<Backend, string> = {
  postgres: 'PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth)',
  nats: '`nats-server -js` on 127.0.0.1:4222',
};

function failureMessage(
  misconfigured: readonly Missing[],
  unreplaced: readonly Missing[],
  docker: DockerStatus,
): string {
  const missing = [...misconfigured, ...unreplaced];
  const them = (list: readonly unknown[]) => (list.length > 1 ? 'them' : 'it');
  const plural = unreplaced.length > 1;
  const lines = [
    `The tests need ${missing.map((f) => NAMES[f.target.backend]).join(' and ')}, and cannot get ${them(missing)}:`,
  ];
  for (const { target, result } of missing) {
    const source = target.configured ? ` (from ${ENV_VARS[target.backend]})` : '';
    lines.push(`  - ${NAMES[target.backend]} at ${redact(target.url)}${source}: ${result.reason}`);
  }
  if (unreplaced.length > 0 && !docker.available) {
    lines.push(`  - no Docker engine answers, so testcontainers cannot start ${them(unreplaced)}: ${docker.reason}`);
  }
  lines.push('To fix it:');
  for (const { target } of misconfigured) {
    const envVar = ENV_VARS[target.backend];
    lines.push(
      `  - start the server ${envVar} names, or correct ${envVar} (without it the tests use the default local port, then Docker)`,
    );
  }
  if (unreplaced.length > 0) {
    lines.push(
      `  - for ${unreplaced.map((f) => NAMES[f.target.backend]).join(' and ')}, one of:`,
      `      start ${unreplaced.map((f) => LOCAL_SERVERS[f.target.backend]).join(' and ')} (.ci/run does this);`,
      `      set ${unreplaced.map((f) => ENV_VARS[f.target.backend]).join(' / ')} to ${plural ? 'servers that run' : 'a server that runs'};`,
      `      run a Docker engine, and the tests start ${plural ? 'them in containers' : 'it in a container'}.`,
    );
  }
  return lines.join('\n');
}

/** Test URLs may carry a password (e.g. CI's); it has no place in a log. */
function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

export async function probe(target: BackendTarget): Promise<ProbeResult> {
  try {
    await (target.backend === 'postgres' ? probePostgres(target.url) : probeNats(target.url));
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: (err as Error).message || String(err) };
  }
}

async function probePostgres(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  await client.connect();
  try {
    await client.query('SELECT 1');
  } finally {
    await client.end();
  }
}

async function probeNats(url: string): Promise<void> {
  const nc = await connect({ servers: url, timeout: PROBE_TIMEOUT_MS, reconnect: false });
  try {
    if (!nc.info?.jetstream) throw new Error('it answers without JetStream (start nats-server with -js)');
  } finally {
    await nc.close();
  }
}

// testcontainers takes seconds to load: only a run that needs it pays for it.
async function detectDocker(): Promise<DockerStatus> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return { available: true };
  } catch (err) {
    return { available: false, reason: (err as Error).message };
  }
}

async function startContainer(backend: Backend): Promise<{ container: StartedTestContainer; url: string }> {
  if (backend === 'postgres') {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15').start();
    return { container, url: container.getConnectionUri() };
  }
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('nats:2.10')
    .withCommand(['-js'])
    .withExposedPorts(4222)
    .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
    .start();
  return { container, url: `nats://${container.getHost()}:${container.getMappedPort(4222)}` };
}

// Jest loads globalSetup and globalTeardown as separate modules; globalThis is what they share.
const CONTAINERS = Symbol.for('ticketpro.testBackends.containers');

function startedContainers(): StartedTestContainer[] {
  const holder = globalThis as { [CONTAINERS]?: StartedTestContainer[] };
  return (holder[CONTAINERS] ??= []);
}

/** Probes the targets and, where needed and possible, starts containers in their place. */
export async function provideTestBackends(targets: readonly BackendTarget[] = backendTargets()): Promise<void> {
  const findings = await Promise.all(targets.map(async (target) => ({ target, result: await probe(target) })));
  if (findings.every((f) => f.result.ok)) return;
  const plan = planTestBackends(findings, await detectDocker());
  if ('fail' in plan) throw new Error(plan.fail);
  try {
    for (const backend of plan.start) {
      const { container, url } = await startContainer(backend);
      startedContainers().push(container);
      process.env[ENV_VARS[backend]] = url;
    }
  } catch (err) {
    await stopTestBackends();
    throw err;
  }
}

export async function stopTestBackends(): Promise<void> {
  await Promise.all(
    startedContainers()
      .splice(0)
      .map((container) => container.stop()),
  );
}

export default function setUpTestBackends(): Promise<void> {
  return provideTestBackends();
}
