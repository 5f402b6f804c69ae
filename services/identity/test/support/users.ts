import type { ServiceBroker } from 'moleculer';
import jwt from 'jsonwebtoken';
import { call, type AuthUser, type RegisterBody, type Token } from '@ticketpro/shared';
import { uniqueName, as } from '@ticketpro/shared/testing';

/** Strong enough for every password rule, and not on the common list. */
export const GOOD_PASSWORD = 'Analytical-Engine-1843';

export function newUserBody(overrides: Partial<RegisterBody> = {}): RegisterBody {
  return {
    firstname: 'Ada',
    surname: 'Lovelace',
    email: `${uniqueName('ada')}@example.com`,
    password: GOOD_PASSWORD,
    phone_number: '+263 (77) 123-4567',
    street_address: '12 Babbage Road, Harare',
    ...overrides,
  };
}

export interface RegisteredUser {
  email: string;
  password: string;
  tokens: Token;
  /** What the gateway would put in `meta.user` for this user's access token. */
  caller: AuthUser;
}

/** The caller an access token stands for, read the way the gateway reads it. */
export function callerOf(accessToken: string): AuthUser {
  const claims = jwt.decode(accessToken) as { sub: string; role: AuthUser['role'] };
  return { id: Number(claims.sub), role: claims.role };
}

export async function registerUser(
  broker: ServiceBroker,
  overrides: Partial<RegisterBody> = {},
): Promise<RegisteredUser> {
  const body = newUserBody(overrides);
  const tokens: Token = await call(broker, 'identity.register', body);
  return { email: body.email, password: body.password, tokens, caller: callerOf(tokens.access_token) };
}

export async function login(broker: ServiceBroker, email: string, password: string): Promise<Token> {
  return call(broker, 'identity.login', { email, password });
}

export { as };
