import { defineAction, NoParams } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { toJwks } from '../keys/jwks';

export function keysAction(identity: IdentityAccess) {
  return defineAction(NoParams, async () => toJwks(identity().signingKey));
}
