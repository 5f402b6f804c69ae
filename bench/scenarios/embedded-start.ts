import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@ticketpro/tests/support/processes';
import { startNpmStart, type EmbeddedProcess } from '@ticketpro/tests/support/embedded';
import { createEvent, createTicketType } from '@ticketpro/tests/support/sales';
import { waitForTicketCount } from '@ticketpro/tests/support/tickets';
import { login, register } from '@ticketpro/tests/support/users';
import { residentMiB } from '../memory';
import type { Teardown } from '../teardown';

export interface EmbeddedStartFigures {
  /** `npm start` (build included) until `/health` answers 200, on an empty DATA_DIR. */
  firstStartSeconds: number;
  /** The same on the data the first start left. */
  restartSeconds: number;
  /** The embedded process (node; npm's own process is apart) after a whole sale, after the first start. */
  afterSaleMiB: number;
  /** The most it held until then (VmHWM). */
  peakMiB: number;
  /** npm itself, which stays as the process's parent. */
  npmMiB: number;
}

/** Issue 12's targets for `npm start` on this machine. */
export const EMBEDDED_TARGETS = { firstStartSeconds: 10, restartSeconds: 5, afterSaleMiB: 600 };

/**
 * `npm start` as a newcomer runs it: from an empty data directory (the first start initialises
 * every embedded database), then a whole sale (accounts, event, ticket type, order, payment,
 * tickets, check-in), then a stop and a second start on the same data.
 */
export async function measureEmbeddedStart(teardown: Teardown): Promise<EmbeddedStartFigures> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ticketpro-bench-npm-start-'));
  teardown.add('remove the npm start data directory', async () => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const env = { RATE_LIMIT_REGISTER: '0', RATE_LIMIT_LOGIN: '0' };
  const timedStart = async (): Promise<[EmbeddedProcess, number]> => {
    const started = Date.now();
    const embedded = await startNpmStart(port, dataDir, env);
    teardown.add('stop npm start', () => embedded.process.stop());
    return [embedded, (Date.now() - started) / 1000];
  };

  const [first, firstStartSeconds] = await timedStart();
  await wholeSale(first);
  const npmPid = first.process.child.pid!;
  const node = embeddedProcessOf(npmPid);
  const { now: afterSaleMiB, peak: peakMiB } = residentMiB(node);
  const npmMiB = residentMiB(npmPid).now;
  await first.process.stop();

  const [second, restartSeconds] = await timedStart();
  await second.process.stop();
  return { firstStartSeconds, restartSeconds, afterSaleMiB, peakMiB, npmMiB };
}

async function wholeSale({ api }: EmbeddedProcess): Promise<void> {
  const organizer = await register(api, { role: 'organizer' });
  const buyer = await register(api);
  const { access } = await login(api, buyer.email, buyer.password);
  const event = await createEvent(api, organizer.access);
  const ticketType = await createTicketType(api, organizer.access, event.id);
  const order = await api('POST', '/api/v1/orders', {
    token: access,
    body: {
      event_id: event.id,
      payment_method: 'credit_card',
      items: [{ ticket_type_id: ticketType.id, quantity: 2 }],
    },
  });
  const paid = await api('POST', `/api/v1/orders/${order.body.id}/pay`, { token: access });
  if (paid.status !== 200) throw new Error(`paying failed: ${paid.status} ${JSON.stringify(paid.body)}`);
  const [ticket] = await waitForTicketCount(api, access, order.body.id, 2);
  const checkin = await api('POST', '/api/v1/validation/checkin', {
    token: organizer.access,
    body: { qr_code: ticket.qr_code },
  });
  if (checkin.status !== 200) throw new Error(`checking in failed: ${checkin.status} ${JSON.stringify(checkin.body)}`);
}

/** The node process npm started (npm's start script execs it, so it is npm's only child). */
function embeddedProcessOf(npmPid: number): number {
  const [child] = readFileSync(`/proc/${npmPid}/task/${npmPid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  if (!child) throw new Error(`npm start (pid ${npmPid}) has no child process`);
  return child;
}
