import { UnprocessableError, defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { hashPassword } from '../passwords/hashing';
import { passwordProblems } from '../passwords/password-policy';
import { issueTokenPair } from '../tokens/token-pair';
import { insertUser } from '../users/insert-user';
import { normalisePhoneNumber } from '../users/phone-number';

export function registerAction(identity: IdentityAccess) {
  return defineAction('identity.register', async (ctx) => {
    const runtime = identity();
    const { password, phone_number, active, role, ...profile } = ctx.params;
    const problems = passwordProblems(password);
    if (problems.length > 0) {
      throw new UnprocessableError(`Password rejected: ${problems.map((p) => p.message).join('; ')}`, problems);
    }
    const passwordHash = await hashPassword(password);
    const { user, tokens } = await runtime.resources.db.transaction(async (trx) => {
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
    ctx.locals.logger.info({ userId: user.id, role: user.role, ip: ctx.meta.ip }, 'user registered');
    return tokens;
  });
}
