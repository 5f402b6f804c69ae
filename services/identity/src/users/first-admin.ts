import { Type } from '@sinclair/typebox';
import { ConflictError, createAjv, Email, formatAjvErrors, type Logger } from '@ticketpro/shared';
import type { IdentityRuntime } from '../runtime';
import { hashPassword } from '../passwords/hashing';
import { passwordProblems } from '../passwords/password-policy';
import { insertUser } from './insert-user';

const validateEmail = createAjv({ coerce: false }).compile(Type.Object({ email: Email }));

/**
 * Creates the admin named by `ADMIN_EMAIL`/`ADMIN_PASSWORD` on the first start only: once any
 * account, live or deleted, has that email, this does nothing, so an admin who was removed or
 * whose password was changed stays that way. Settings that break the rules fail the start.
 */
export async function ensureFirstAdmin(runtime: IdentityRuntime, logger: Logger): Promise<void> {
  const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } = runtime.config;
  if (!email || !password) return;
  if (!validateEmail({ email })) {
    const why = formatAjvErrors(validateEmail.errors ?? []).map((e) => e.message);
    throw new Error(`ADMIN_EMAIL ${why.join('; ')}`);
  }
  const problems = passwordProblems(password);
  if (problems.length > 0) {
    throw new Error(`ADMIN_PASSWORD breaks the password rules: ${problems.map((p) => p.message).join('; ')}`);
  }

  const { models, resources } = runtime;
  const existing = await models.User.query().withDeleted().whereRaw('lower(email) = lower(?)', [email]).first();
  if (existing) return;
  const passwordHash = await hashPassword(password, runtime.config.PASSWORD_HASH_COST);
  try {
    await resources.db.transaction((trx) =>
      insertUser(trx, models, {
        firstname: 'Admin',
        surname: 'Administrator',
        email,
        password_hash: passwordHash,
        // Not known from the settings; the admin fills them in with users.update.
        phone_number: '',
        street_address: '',
        active: true,
        role: 'admin',
        // The operator vouched for this address by configuring it.
        is_verified: true,
      }),
    );
  } catch (err) {
    // Another instance starting at the same moment created it first.
    if (err instanceof ConflictError) return;
    throw err;
  }
  logger.info({ email }, 'first admin created');
}
