import type { Registered } from '@ticketpro/tests/support/users';
import type { BenchOptions } from '../options';
import { registerMany, seedEvent } from '../seed';
import { type Api, type ApiResponse } from '@ticketpro/shared/testing';

export interface FlashSaleFigures {
  buyers: number;
  units: number;
  created: number;
  /** 409s that are problem+json: the clean "sold out". */
  soldOut: number;
  /** Anything else, network failures included. */
  other: number;
  /** What those other answers were, e.g. "3 × 503, 1 × no answer"; empty when there were none. */
  otherAnswers: string;
  /** `available_quantity` read after the sale. */
  availableAfter: number;
  /** From the first request sent to the last unit's 201. */
  soldOutSeconds: number;
  allAnsweredSeconds: number;
  exact: boolean;
}

/**
 * Every buyer asks for one unit at the same instant. Registering the buyers (argon2id, slow on
 * purpose) happens before the clock starts.
 */
export async function measureFlashSale(
  api: Api,
  organizer: Registered,
  options: BenchOptions,
): Promise<FlashSaleFigures> {
  const units = options.flashSaleUnits;
  const buyers = await registerMany(api, options.flashSaleBuyers);
  const sale = await seedEvent(api, organizer, [{ name: 'Flash sale terraces', quantity: units }]);
  const [ticketTypeId] = sale.ticketTypeIds;
  const body = {
    event_id: sale.eventId,
    payment_method: 'credit_card',
    items: [{ ticket_type_id: ticketTypeId, quantity: 1 }],
  };

  let created = 0;
  let lastUnitAt = NaN;
  const started = performance.now();
  const answers = await Promise.all(
    buyers.map(async (buyer): Promise<ApiResponse | undefined> => {
      try {
        const answer = await api('POST', '/api/v1/orders', { token: buyer.access, body });
        if (answer.status === 201 && ++created === units) lastUnitAt = performance.now();
        return answer;
      } catch {
        return undefined;
      }
    }),
  );
  const allAnsweredSeconds = (performance.now() - started) / 1000;

  const isSoldOut = (a: ApiResponse | undefined) =>
    a?.status === 409 && (a.headers.get('content-type') ?? '').startsWith('application/problem+json');
  const soldOut = answers.filter(isSoldOut).length;
  const other = buyers.length - created - soldOut;
  const otherKinds = new Map<string, number>();
  for (const answer of answers) {
    if (answer?.status === 201 || isSoldOut(answer)) continue;
    const kind = answer ? String(answer.status) : 'no answer';
    otherKinds.set(kind, (otherKinds.get(kind) ?? 0) + 1);
  }
  const otherAnswers = [...otherKinds].map(([kind, n]) => `${n} × ${kind}`).join(', ');
  const after = await api('GET', `/api/v1/tickets/types/${ticketTypeId}`);
  if (after.status !== 200) throw new Error(`reading the sale's ticket type failed: ${after.status}`);
  const availableAfter = after.body.available_quantity as number;
  return {
    buyers: buyers.length,
    units,
    created,
    soldOut,
    other,
    otherAnswers,
    availableAfter,
    soldOutSeconds: (lastUnitAt - started) / 1000,
    allAnsweredSeconds,
    exact: created === units && soldOut === buyers.length - units && other === 0 && availableAfter === 0,
  };
}
