/**
 * Per-action call timeouts (`timeoutMs` in the contracts). A timeout is how long a caller waits on
 * one instance before it answers 503 or, where the call is safe to repeat, sends it to another:
 * with NATS queue groups, a call in flight on an instance that was killed is never answered, so
 * these bound what a buyer waits then. Each is well above the action's slowest answers on a
 * loaded machine (a flash sale queues holds on one row) and below the 10 s a buyer gives up at.
 */

/**
 * A read a buyer waits for. With its one repeat, under 10 s; 3 s was too short for a machine
 * at a load average of 30, where reads after a burst of sign-ups took longer twice in a row.
 */
export const READ_TIMEOUT_MS = 5000;
/**
 * Sign-in hashes a password with argon2id, slow on purpose. (Sign-up keeps `REQUEST_TIMEOUT_MS`:
 * a burst of sign-ups queues on the hashing threads, and a sign-up is never repeated anyway.)
 */
export const SIGN_IN_TIMEOUT_MS = 8000;
/**
 * One inventory step of checkout in catalog. Short enough that a step and its one repeat fit
 * within `CHECKOUT_TIMEOUT_MS`, so a catalog instance dying under a checkout costs the buyer a
 * wait, not a 503. 3 s was too short: 200 holds racing for one ticket type's row queue longer than
 * that even on a quiet machine (catalog's concurrency test).
 */
export const INVENTORY_TIMEOUT_MS = 4000;
/** A whole checkout or payment, its inventory step within it (a nested call gets what is left of this). */
export const CHECKOUT_TIMEOUT_MS = 8000;
