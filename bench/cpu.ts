import { readFileSync } from 'node:fs';
import { Client } from 'pg';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ): 100 on Linux. */
const TICKS_PER_SECOND = 100;

/** A group of processes whose CPU time is summed: a service, or Postgres's backends of one database. */
export interface CpuSource {
  name: string;
  /** The pids to read now (a database's backends come and go). */
  pids(): Promise<number[]>;
}

/** CPU milliseconds (user + system) each source spent between two readings. */
export type CpuSpent = Record<string, number>;

/** The CPU ms of every process of a reading, added up. */
export const totalCpuMs = (spent: CpuSpent): number => Object.values(spent).reduce((sum, ms) => sum + ms, 0);

/** user + system CPU time of one process in ms, or undefined once it is gone. */
function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) in parentheses; utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * Reads every source's CPU time now; `finish()` gives what each spent since. A process seen at
 * only one of the two readings (a backend opened or closed meanwhile) counts from zero or not at all.
 */
export async function startCpuReading(sources: CpuSource[]): Promise<{ finish(): Promise<CpuSpent> }> {
  const read = async () =>
    Promise.all(
      sources.map(async (source) => {
        const byPid = new Map<number, number>();
        for (const pid of await source.pids()) byPid.set(pid, cpuMsOf(pid) ?? 0);
        return byPid;
      }),
    );
  const before = await read();
  return {
    async finish() {
      const after = await read();
      return Object.fromEntries(
        sources.map((source, i) => {
          let spent = 0;
          for (const [pid, ms] of after[i]) spent += ms - (before[i].get(pid) ?? 0);
          return [source.name, spent];
        }),
      );
    },
  };
}

/** Postgres's backends serving `databaseUrl`'s database (not the server's shared background processes). */
export function postgresBackends(databaseUrl: string, name = 'Postgres'): CpuSource {
  return {
    name,
    async pids() {
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        );
        return rows.map((r) => r.pid);
      } finally {
        await client.end();
      }
    },
  };
}

/** One process by its pid. */
export function processSource(name: string, pid: number | undefined): CpuSource {
  return { name, pids: async () => (pid === undefined ? [] : [pid]) };
}

/** The whole machine's CPU time in ms, all cores together, from /proc/stat's first line. */
export interface MachineCpu {
  /** user, nice, system, irq and softirq: every process's and the kernel's work. */
  busy: number;
  /** Time the hypervisor gave this virtual machine's CPUs to something else. */
  steal: number;
  /** idle and iowait. */
  idle: number;
}

export function readMachineCpu(): MachineCpu {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map((ticks) => (Number(ticks) * 1000) / TICKS_PER_SECOND);
  return { busy: user + nice + system + irq + softirq, steal, idle: idle + iowait };
}

/** What share (0–1) of the machine's CPU time between two readings was busy, and stolen. */
export function machineShares(before: MachineCpu, after: MachineCpu): { busy: number; steal: number } {
  const busy = after.busy - before.busy;
  const steal = after.steal - before.steal;
  const all = busy + steal + (after.idle - before.idle);
  return all > 0 ? { busy: busy / all, steal: steal / all } : { busy: NaN, steal: NaN };
}
