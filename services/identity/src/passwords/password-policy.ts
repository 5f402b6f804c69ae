import { Type } from '@sinclair/typebox';
import { dictionary } from '@zxcvbn-ts/language-common';
import { createAjv, formatAjvErrors, Password, type FieldError } from '@ticketpro/shared';

// zxcvbn's list of the most used passwords from public breaches; its entries are lowercase.
const COMMON_PASSWORDS = new Set(dictionary['passwords-common']);

const validateShape = createAjv({ coerce: false }).compile(Type.Object({ password: Password }));

export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase());
}

/**
 * Every password rule this password breaks, each naming its rule. The shape rules are the
 * contract's schema (checked again here for passwords that bypass action params, such as
 * `ADMIN_PASSWORD`); "common" needs the list, so only identity checks it.
 */
export function passwordProblems(password: string): FieldError[] {
  const problems = validateShape({ password }) ? [] : formatAjvErrors(validateShape.errors ?? []);
  if (isCommonPassword(password)) {
    problems.push({ field: 'password', message: 'is a commonly used password (rule: common)' });
  }
  return problems;
}
