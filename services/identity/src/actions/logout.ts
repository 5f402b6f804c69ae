import { defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { logOut } from '../sessions/log-out';

export function logoutAction(identity: IdentityAccess) {
  return defineAction('identity.logout', async (ctx) => {
    await logOut(identity(), ctx.params.refresh_token);
    return null;
  });
}
