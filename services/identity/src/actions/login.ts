import { defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { logIn } from '../sessions/log-in';

export function loginAction(identity: IdentityAccess) {
  return defineAction('identity.login', async (ctx) => logIn(identity(), ctx, ctx.params.email, ctx.params.password));
}
