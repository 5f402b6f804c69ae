import { ForbiddenError, UnauthorizedError, defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { verifyPassword, verifyWithoutAccount } from '../passwords/hashing';
import { issueTokenPair } from '../tokens/token-pair';

export function loginAction(identity: IdentityAccess) {
  return defineAction('identity.login', async (ctx) => {
    const runtime = identity();
    const { email, password } = ctx.params;
    // Soft-deleted accounts are left out, so they fail exactly like unknown emails.
    const user = await runtime.models.User.query().whereRaw('lower(email) = lower(?)', [email]).first();
    const passwordMatches = user
      ? await verifyPassword(user.password_hash, password)
      : await verifyWithoutAccount(password);
    if (!user || !passwordMatches) {
      ctx.locals.logger.info({ ip: ctx.meta.ip, known: user !== undefined }, 'login refused');
      throw new UnauthorizedError('Incorrect email or password');
    }
    if (!user.active) throw new ForbiddenError('Account is deactivated');
    return issueTokenPair(runtime, runtime.resources.db, user);
  });
}
