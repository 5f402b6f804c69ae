import { ForbiddenError, isAdmin, type AuthUser } from '@ticketpro/shared';

/**
 * Whose events a caller's figures cover: an admin's, every event (`organizerId` null); an
 * organizer's, their own events only. Anyone else has no figures to see (403).
 */
export interface Scope {
  organizerId: number | null;
}

export function scopeOf(caller: AuthUser, what: string): Scope {
  if (isAdmin(caller)) return { organizerId: null };
  if (caller.role === 'organizer') return { organizerId: caller.id };
  throw new ForbiddenError(`Only an admin or an organizer may see ${what}`);
}

/** SQL true for an order or ticket row (alias `alias`) of an event in the scope; binds `scopeBindings`. */
export const inScope = (alias: string) =>
  `(?::int IS NULL OR ${alias}.event_id IN (SELECT event_id FROM events WHERE organizer_id = ?::int))`;
export const scopeBindings = ({ organizerId }: Scope) => [organizerId, organizerId];
