import { ForbiddenError, UnauthorizedError, type RequestContext, type Token } from '@ticketpro/shared';
import type { IdentityRuntime } from '../runtime';
import { verifyPassword, verifyWithoutAccount } from '../passwords/hashing';
import { issueTokenPair } from '../tokens/token-pair';

/** Starts a sign-in: a token pair for the right email and password of an active account. */
export async function logIn(
  runtime: IdentityRuntime,
  ctx: RequestContext<unknown>,
  email: string,
  password: string,
): Promise<Token> {
  // Soft-deleted accounts are left out, so they fail exactly like unknown emails.
  const user = await runtime.models.User.query().whereRaw('lower(email) = lower(?)', [email]).first();
  const passwordMatches = user
    ? await verifyPassword(user.password_hash, password)
    : await verifyWithoutAccount(password, runtime.config.PASSWORD_HASH_COST);
  if (!user || !passwordMatches) {
    ctx.locals.logger.info({ ip: ctx.meta.ip, known: user !== undefined }, 'login refused');
    throw new UnauthorizedError('Incorrect email or password');
  }
  if (!user.active) throw new ForbiddenError('Account is deactivated');
  return issueTokenPair(runtime, runtime.resources.db, user);
}
