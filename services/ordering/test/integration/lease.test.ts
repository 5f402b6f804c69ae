import type { Knex } from 'knex';
import { uniqueName } from '@ticketpro/shared/testing';
import { claimantOf } from '../../src/idempotency/claimant';
import { idempotent } from '../../src/idempotency/idempotent';
import { LEASE_SECONDS, leaseEnd } from '../../src/idempotency/lease';
import { buyer } from '../support/ordering-fixtures';
import { orderingNodeForFile } from '../support/ordering-node';

const node = orderingNodeForFile();

/**
 * How long a lease that `take` takes inside a transaction that had already run `busySeconds`
 * has left once it commits; `take` answers when the lease ends.
 */
async function leftAfterCommit(busySeconds: number, take: (trx: Knex.Transaction) => Promise<Date>): Promise<number> {
  const db = node.orderingDb;
  const ends = await db.transaction(async (trx) => {
    await trx.raw('SELECT pg_sleep(?)', [busySeconds]);
    return take(trx);
  });
  const { rows } = await db.raw<{ rows: { left: string }[] }>(
    'SELECT extract(epoch FROM ?::timestamptz - clock_timestamp()) AS left',
    [ends],
  );
  return Number(rows[0].left);
}

describe('a claim lease', () => {
  it('runs its whole length from when it is taken, however long its transaction had run', async () => {
    // A pay inserts its payment's lease after waiting for catalog in the same transaction.
    const left = await leftAfterCommit(1.5, async (trx) => {
      const { rows } = await trx.raw<{ rows: { ends: Date }[] }>('SELECT ? AS ends', [leaseEnd(trx)]);
      return rows[0].ends;
    });
    expect(left).toBeGreaterThan(LEASE_SECONDS - 0.5);
    expect(left).toBeLessThanOrEqual(LEASE_SECONDS);
  });

  it("is an Idempotency-Key claim's lease too: it runs from when the key is claimed", async () => {
    // Run in a transaction that had already run, the claim's statement tells a lease counted from
    // when it is taken from one counted from its transaction's start.
    const key = uniqueName('key');
    const left = await leftAfterCommit(1.5, async (trx) => {
      const request = {
        userId: buyer.id,
        key,
        action: 'ordering.orders.pay' as const,
        params: {},
        status: 200,
        waitMs: 1000,
        claimant: claimantOf(node.runtime),
      };
      await idempotent(trx, request, async () => ({}));
      const claim = await trx('idempotency_keys').where({ user_id: buyer.id, key }).first('lease_expires_at');
      return claim.lease_expires_at;
    });
    expect(left).toBeGreaterThan(LEASE_SECONDS - 0.5);
    expect(left).toBeLessThanOrEqual(LEASE_SECONDS);
  });
});
