import type { Knex } from 'knex';

/**
 * A claim whose lease ran out belongs to a request whose process died (killed, crashed): a repeat
 * takes it over. The request renews its lease while it works, several times per lease, so a slow
 * turn of the event loop or a wait for a pooled connection does not cost it the claim.
 */
export const LEASE_SECONDS = 5;
const LEASE_RENEWAL_MS = 1000;

/**
 * The end of a lease taken or renewed now, by the database's clock (every instance's claims
 * compare with it). `clock_timestamp()`, not `now()`: `now()` is when the transaction began, and
 * a lease taken at the end of a long transaction (a pay's waits for catalog to extend the hold)
 * would start out short by that long, so that a waiting pay could take it over before its first
 * renewal and ask the provider a second time.
 */
export const leaseEnd = (db: Knex) => db.raw('clock_timestamp() + make_interval(secs => ?)', [LEASE_SECONDS]);

/** Runs `work` while `renew` extends its lease every second; a renewal that fails is tried again at the next tick. */
export async function whileRenewing<T>(renew: () => PromiseLike<unknown>, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => {
    Promise.resolve(renew()).catch(() => undefined);
  }, LEASE_RENEWAL_MS);
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
