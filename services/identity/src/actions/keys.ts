import { defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { toJwks } from '../keys/jwks';

export function keysAction(identity: IdentityAccess) {
  return defineAction('identity.keys', async () => {
    const { signingKeys } = identity();
    // Rare (gateways cache the keys by kid), and a key another instance rotated to must be listed.
    await signingKeys.reload();
    return toJwks(signingKeys.keys);
  });
}
