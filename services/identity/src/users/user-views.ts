import { iso, type EventData, type User as UserView } from '@ticketpro/shared';
import type { User } from '../models';

/** The user as the API shows it: exactly the contract's fields, never the password hash. */
export function toUserView(user: User): UserView {
  return {
    id: user.id,
    firstname: user.firstname,
    surname: user.surname,
    email: user.email,
    phone_number: user.phone_number,
    street_address: user.street_address,
    active: user.active,
    role: user.role,
    is_verified: user.is_verified,
    created_at: iso(user.created_at),
    updated_at: iso(user.updated_at),
  };
}

/** What other services may know about a user, as carried by identity's events. */
export function toUserFacts(user: User): EventData<'identity.user.registered'> {
  return {
    id: user.id,
    firstname: user.firstname,
    surname: user.surname,
    role: user.role,
    active: user.active,
    email: user.email,
  };
}
