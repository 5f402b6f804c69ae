import type { IdentityAccess } from '../runtime';
import { toJwks } from '../keys/jwks';
import { defineAction, NoParams } from './define-action';

export function keysAction(identity: IdentityAccess) {
  return defineAction(NoParams, async () => toJwks(identity().signingKey));
}
