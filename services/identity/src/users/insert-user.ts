import type { Knex } from 'knex';
import { ConflictError, isUniqueViolation, type Role } from '@ticketpro/shared';
import { EMAIL_UNIQUE_INDEX } from '../models/constants';
import { identityEvents } from '../domain-events';
import type { IdentityModels, User } from '../models';
import { toUserFacts } from './user-views';

export interface NewUser {
  firstname: string;
  surname: string;
  email: string;
  password_hash: string;
  phone_number: string;
  street_address: string;
  active: boolean;
  role: Role;
  is_verified: boolean;
}

/**
 * Inserts a user and records `identity.user.registered` in the same transaction. The unique
 * index decides between two registrations of one email, so the loser of a race gets the 409 too.
 */
export async function insertUser(trx: Knex.Transaction, models: IdentityModels, fields: NewUser): Promise<User> {
  let user: User;
  try {
    user = await models.User.query(trx).insert(fields).returning('*');
  } catch (err) {
    if (isUniqueViolation(err, EMAIL_UNIQUE_INDEX)) throw new ConflictError('Email already registered');
    throw err;
  }
  await identityEvents.record(trx, 'identity.user.registered', toUserFacts(user));
  return user;
}
