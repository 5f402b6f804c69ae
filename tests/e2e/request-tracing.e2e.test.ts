import { randomUUID } from 'node:crypto';
import { startCluster, type Cluster } from '../support/cluster';
import type { RunningProcess } from '../support/processes';
import { createEvent, createTicketType } from '../support/sales';
import { register } from '../support/users';

jest.setTimeout(180_000);

type LogLine = Record<string, unknown>;

/**
 * The processes one order passes through (the gateway, ordering, and catalog for the hold),
 * each with the line it writes last for the request, so we know its lines are all in.
 */
const TRAVERSED: Record<string, (line: LogLine) => boolean> = {
  gateway: (line) => line.msg === 'request completed',
  ordering: (line) => line.action === 'ordering.orders.create' && line.msg === 'action done',
  catalog: (line) => line.action === 'catalog.inventory.hold' && line.msg === 'action done',
};

/**
 * One request followed across processes by its id, the way an operator would with grep: every
 * log line that names the id is JSON and carries it as `requestId`.
 */
describe('request tracing: one request id through the JSON logs of every process', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster('e2e_request_tracing', { LOG_LEVEL: 'debug' });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('finds the id of an order request in the gateway, ordering and catalog logs, as requestId on JSON lines', async () => {
    const organizer = await register(cluster.api, { role: 'organizer' });
    const buyer = await register(cluster.api);
    const event = await createEvent(cluster.api, organizer.access);
    const ticketType = await createTicketType(cluster.api, organizer.access, event.id);

    const requestId = randomUUID();
    const created = await cluster.api('POST', '/api/v1/orders', {
      token: buyer.access,
      headers: { 'x-request-id': requestId },
      body: {
        event_id: event.id,
        payment_method: 'credit_card',
        items: [{ ticket_type_id: ticketType.id, quantity: 1 }],
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-request-id')).toBe(requestId);

    const counts: string[] = [];
    for (const [role, isLast] of Object.entries(TRAVERSED)) {
      const lines = await linesNaming(processOf(cluster, role), requestId, isLast);
      counts.push(`${role} ${lines.length} (${lines.filter(isTransportTrace).length} transport traces)`);
      const unparsable = lines.filter((line) => parse(line) === undefined);
      expect({ role, unparsable }).toEqual({ role, unparsable: [] });
      const withoutTheId = lines.filter((line) => !isTransportTrace(line) && parse(line)?.requestId !== requestId);
      expect({ role, withoutTheId }).toEqual({ role, withoutTheId: [] });
    }
    console.log(`request tracing: log lines naming ${requestId}: ${counts.join(', ')}`);
  });
});

function processOf(cluster: Cluster, role: string): RunningProcess {
  const found = cluster.processes.find((p) => p.name === role);
  if (!found) throw new Error(`no ${role} process in the cluster`);
  return found;
}

/**
 * Moleculer's own debug lines about sending and receiving a request (`mod: "transit"`) quote
 * the id inside their message; their format is Moleculer's, so they are only required to be JSON.
 */
function isTransportTrace(line: string): boolean {
  return parse(line)?.mod === 'transit';
}

function parse(line: string): LogLine | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as LogLine) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The lines of `proc`'s output naming `id`, once `isLast` holds for one of them: a process
 * writes its log lines as it goes, and they reach us through a pipe a moment after the response.
 */
async function linesNaming(proc: RunningProcess, id: string, isLast: (line: LogLine) => boolean): Promise<string[]> {
  const timeoutMs = 15_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = proc
      .output()
      .split('\n')
      .filter((line) => line.includes(id));
    if (lines.map(parse).some((line) => line !== undefined && isLast(line))) return lines;
    if (Date.now() > deadline) {
      throw new Error(
        `${proc.name} did not log the end of ${id} within ${timeoutMs} ms; its lines naming it:\n${lines.join('\n')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
