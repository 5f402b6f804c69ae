import { defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { registerUser } from '../users/register-user';

export function registerAction(identity: IdentityAccess) {
  return defineAction('identity.register', async (ctx) => {
    const { user, tokens } = await registerUser(identity(), ctx.params);
    ctx.locals.logger.info({ userId: user.id, role: user.role, ip: ctx.meta.ip }, 'user registered');
    return tokens;
  });
}
