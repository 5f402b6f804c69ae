import { LEASE_SECONDS, leaseEnd } from '../../src/idempotency/lease';
import { orderingNodeForFile } from '../support/ordering-node';

const node = orderingNodeForFile();

/** How long a lease taken inside a transaction that had already run `busySeconds` has left once it commits. */
async function leftAfterCommit(busySeconds: number): Promise<number> {
  const db = node.orderingDb;
  const ends = await db.transaction(async (trx) => {
    await trx.raw('SELECT pg_sleep(?)', [busySeconds]);
    const { rows } = await trx.raw<{ rows: { ends: Date }[] }>('SELECT ? AS ends', [leaseEnd(trx)]);
    return rows[0].ends;
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
    const left = await leftAfterCommit(1.5);
    expect(left).toBeGreaterThan(LEASE_SECONDS - 0.5);
    expect(left).toBeLessThanOrEqual(LEASE_SECONDS);
  });
});
