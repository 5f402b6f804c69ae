import { defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { revocationsInForce } from '../tokens/revocations-in-force';

/**
 * The access-token revocations still in force, for a gateway starting where its event feed has
 * no history (embedded mode); the events carry each one as it happens. For calls between
 * services: it needs no caller, and the gateway routes no URL to it.
 */
export function tokenRevocationsAction(identity: IdentityAccess) {
  return defineAction('identity.tokens.revocations', async () => revocationsInForce(identity()));
}
