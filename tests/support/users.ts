import { randomBytes } from 'node:crypto';
import { type Api } from '@ticketpro/shared/testing';

export const GOOD_PASSWORD = 'Sturdy-Ticket-42';

export function newUserBody(overrides: Record<string, unknown> = {}) {
  const tag = randomBytes(4).toString('hex');
  return {
    firstname: 'Tendai',
    surname: 'Moyo',
    email: `tendai.${tag}@example.com`,
    password: GOOD_PASSWORD,
    phone_number: '+263 77 123 4567',
    street_address: '12 Samora Machel Ave, Harare',
    ...overrides,
  };
}

export interface Registered {
  id: number;
  email: string;
  password: string;
  access: string;
  refresh: string;
}

/** Registers a user through the API and reads back its id. */
export async function register(api: Api, overrides: Record<string, unknown> = {}): Promise<Registered> {
  const body = newUserBody(overrides);
  const created = await api('POST', '/api/v1/auth/register', { body });
  if (created.status !== 201) throw new Error(`register failed: ${created.status} ${JSON.stringify(created.body)}`);
  const me = await api('GET', '/api/v1/auth/me', { token: created.body.access_token });
  return {
    id: me.body.id,
    email: body.email,
    password: body.password,
    access: created.body.access_token,
    refresh: created.body.refresh_token,
  };
}

/** Registrations at a time: each hashes a password with argon2id, which is meant to be slow. */
const REGISTRATION_BATCH = 20;

/** Registers `n` users, a batch at a time, in the order they were made. */
export async function registerMany(api: Api, n: number): Promise<Registered[]> {
  const users: Registered[] = [];
  for (let i = 0; i < n; i += REGISTRATION_BATCH) {
    users.push(
      ...(await Promise.all(Array.from({ length: Math.min(REGISTRATION_BATCH, n - i) }, () => register(api)))),
    );
  }
  return users;
}

export async function login(api: Api, email: string, password: string) {
  const res = await api('POST', '/api/v1/auth/login', { body: { email, password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { access: res.body.access_token as string, refresh: res.body.refresh_token as string };
}

export function base64url(value: object | string): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}
