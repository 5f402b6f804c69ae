import { UnprocessableError, type ParamsOf, type Token } from '@ticketpro/shared';
import type { IdentityRuntime } from '../runtime';
import type { User } from '../models';
import { hashPassword } from '../passwords/hashing';
import { passwordProblems } from '../passwords/password-policy';
import { issueTokenPair } from '../tokens/token-pair';
import { insertUser } from './insert-user';
import { normalisePhoneNumber } from './phone-number';

/** Opens an account and its first sign-in together (`identity.user.registered` is recorded). */
export async function registerUser(
  runtime: IdentityRuntime,
  { password, phone_number, active, role, ...profile }: ParamsOf<'identity.register'>,
): Promise<{ user: User; tokens: Token }> {
  const problems = passwordProblems(password);
  if (problems.length > 0) {
    throw new UnprocessableError(`Password rejected: ${problems.map((p) => p.message).join('; ')}`, problems);
  }
  const passwordHash = await hashPassword(password, runtime.config.PASSWORD_HASH_COST);
  return runtime.resources.db.transaction(async (trx) => {
    const created = await insertUser(trx, runtime.models, {
      ...profile,
      password_hash: passwordHash,
      phone_number: normalisePhoneNumber(phone_number),
      active: active ?? true,
      role: role ?? 'user',
      is_verified: false,
    });
    return { user: created, tokens: await issueTokenPair(runtime, trx, created) };
  });
}
