import { readFileSync } from 'node:fs';
import os from 'node:os';
import { connect } from 'nats';
import { Client } from 'pg';

export interface Machine {
  cpu: string;
  memory: string;
  os: string;
  node: string;
  postgres: string;
  nats: string;
  /** 1, 5 and 15 minute load averages when the bench started: a busy machine skews every figure. */
  loadAverage: string;
}

/**
 * The machine and servers the figures were measured on, as the servers themselves report; the
 * NATS server's GOMAXPROCS as its process was started (`natsPid`), since it sets the server's CPU
 * per message.
 */
export async function describeMachine(
  databaseUrl: string,
  natsUrl: string,
  natsPid: number | undefined,
): Promise<Machine> {
  const cpus = os.cpus();
  return {
    cpu: `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown'}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${osName()} (${os.type()} ${os.release()}, ${os.arch()})`,
    node: process.version,
    postgres: await postgresVersion(databaseUrl),
    nats: `${await natsVersion(natsUrl)}, GOMAXPROCS ${environmentOf(natsPid).GOMAXPROCS ?? 'unset (one per core)'}`,
    loadAverage: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', '),
  };
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os.version();
  } catch {
    return os.version();
  }
}

async function postgresVersion(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ version: string }>('SELECT version()')).rows[0].version;
  } finally {
    await client.end();
  }
}

/** From the INFO the server sends when a client connects. */
async function natsVersion(url: string): Promise<string> {
  const nc = await connect({ servers: url });
  try {
    return `nats-server ${nc.info?.version ?? 'unknown'}`;
  } finally {
    await nc.close();
  }
}

/** A process's environment as it was started, from /proc/<pid>/environ. */
function environmentOf(pid: number | undefined): Record<string, string> {
  if (pid === undefined) return {};
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(
    entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
}
