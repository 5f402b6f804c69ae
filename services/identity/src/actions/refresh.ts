import { defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { refreshSession } from '../sessions/refresh-session';

export function refreshAction(identity: IdentityAccess) {
  return defineAction('identity.refresh', async (ctx) => refreshSession(identity(), ctx, ctx.params.refresh_token));
}
