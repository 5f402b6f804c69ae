import type { Knex } from 'knex';
import { ProblemError, type BatchOutcomes, type HoldParams, type HoldResult } from '@ticketpro/shared';
import { assertWellFormed, holdInventory, holdWithin } from './hold-inventory';
import type { HoldLimits } from './holder-limits';

/**
 * Holds several orders in one transaction (group commit), each as `holdInventory` would hold it
 * alone and in their order: each under a savepoint of its own, so an order refused (sold out,
 * over a limit, a bad promo code: a problem the buyer is answered with) rolls back only its own
 * work, and one commit makes the others' holds. Anything else going wrong (a deadlock, a lost
 * connection, a failed commit) rolls the whole batch back, and each order is then held alone.
 * A batch of one is `holdInventory` itself: a lone hold costs what it did before batching.
 */
export async function holdTogether(
  db: Knex,
  batch: HoldParams[],
  limits: HoldLimits,
  offerSeconds: number,
): Promise<BatchOutcomes<HoldResult>> {
  const alone = () => Promise.allSettled(batch.map((params) => holdInventory(db, params, limits, offerSeconds)));
  if (batch.length === 1) return alone();
  try {
    return await db.transaction(async (trx) => {
      const outcomes: BatchOutcomes<HoldResult> = [];
      for (const params of batch) {
        try {
          assertWellFormed(params);
          const held = await trx.transaction((savepoint) => holdWithin(savepoint, params, limits, offerSeconds));
          outcomes.push({ status: 'fulfilled', value: held });
        } catch (reason) {
          if (!(reason instanceof ProblemError)) throw reason;
          outcomes.push({ status: 'rejected', reason });
        }
      }
      return outcomes;
    });
  } catch {
    return alone();
  }
}
