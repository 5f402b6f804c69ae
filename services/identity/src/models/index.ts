import type { Knex } from 'knex';
import { User } from './user';
import { RefreshToken } from './refresh-token';

export { User, RefreshToken };

// Tables without a model, and why:
// - signing_keys: the shared kit's `Keyring` (shared/src/keyring.ts) owns it, the same table in
//   identity and ticketing.
// - outbox: the shared kit's (shared/src/events), the same in every service.

/**
 * Model classes bound to one service instance's knex. Binding subclasses rather than the base
 * classes keeps two identity instances in one process (tests, embedded restarts) apart.
 */
export function bindModels(db: Knex) {
  return { User: User.bindKnex(db), RefreshToken: RefreshToken.bindKnex(db) };
}

export type IdentityModels = ReturnType<typeof bindModels>;
