import { readFileSync } from 'node:fs';
import type { RunningProcess } from '@ticketpro/tests/support/processes';

export interface ResidentSize {
  process: string;
  /** MiB, before any load. */
  idleMiB: number;
  /** MiB, the most seen while the scenarios ran. */
  loadedMiB: number;
}

const SAMPLE_EVERY_MS = 250;

/**
 * Resident set sizes (VmRSS) of the processes under test: once while idle, then sampled for the
 * highest while the load scenarios run. A process that has exited keeps what was seen of it.
 */
export class MemorySampler {
  private readonly tracked: { process: RunningProcess; idle: number; peak: number }[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** Records the process's idle size now. */
  track(process: RunningProcess): void {
    const idle = residentKiB(process) ?? NaN;
    this.tracked.push({ process, idle, peak: idle });
  }

  start(): void {
    this.timer = setInterval(() => this.sample(), SAMPLE_EVERY_MS);
  }

  stop(): ResidentSize[] {
    clearInterval(this.timer);
    this.sample();
    return this.tracked.map(({ process, idle, peak }) => ({
      process: process.name,
      idleMiB: idle / 1024,
      loadedMiB: peak / 1024,
    }));
  }

  private sample(): void {
    for (const entry of this.tracked) {
      const size = residentKiB(entry.process);
      if (size !== undefined) entry.peak = Math.max(entry.peak, size);
    }
  }
}

/** Nothing for a process that has exited: its pid may already be another's. */
function residentKiB({ child }: RunningProcess): number | undefined {
  if (child.exitCode !== null || child.signalCode !== null) return undefined;
  return statusKiB(child.pid!, 'VmRSS');
}

/** A process's resident size now and the highest it has been (VmHWM), in MiB. */
export function residentMiB(pid: number): { now: number; peak: number } {
  return { now: (statusKiB(pid, 'VmRSS') ?? NaN) / 1024, peak: (statusKiB(pid, 'VmHWM') ?? NaN) / 1024 };
}

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
