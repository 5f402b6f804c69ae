import { defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { userNames } from '../users/user-names';

/**
 * The public names of the given users, for other services to show beside their records. For
 * calls between services: it needs no caller, and the gateway routes no URL to it.
 */
export function userNamesAction(identity: IdentityAccess) {
  return defineAction('identity.users.names', async (ctx) => userNames(identity().models, ctx.params.ids));
}
