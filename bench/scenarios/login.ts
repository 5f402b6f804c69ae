import { Client } from 'pg';
import type { BenchOptions } from '../options';
import { autocannonLength, runLoad, type LoadFigures } from '../load';
import { registerMany } from '../seed';
import { type Api } from '@ticketpro/shared/testing';

export interface LoginFigures {
  connections: number;
  users: number;
  logins: LoadFigures;
  /** As stored in the hashes identity wrote, e.g. "argon2id v=19, m=19456 KiB, t=2, p=1". */
  argon2: string;
}

/** `POST /api/v1/auth/login` as fast as identity verifies passwords, spread over a few accounts. */
export async function measureLogin(
  api: Api,
  baseUrl: string,
  databaseUrl: string,
  options: BenchOptions,
): Promise<LoginFigures> {
  const users = await registerMany(api, options.loginUsers);
  let next = 0;
  const logins = await runLoad({
    url: `${baseUrl}/api/v1/auth/login`,
    method: 'POST',
    connections: options.loginConnections,
    ...autocannonLength(options.runLength),
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const user = users[next++ % users.length];
          return { ...request, body: JSON.stringify({ email: user.email, password: user.password }) };
        },
      },
    ],
  });
  return {
    connections: options.loginConnections,
    users: users.length,
    logins,
    argon2: await argon2Parameters(databaseUrl, users[0].email),
  };
}

/** The parameters are part of every argon2 hash (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`): read the real ones. */
async function argon2Parameters(databaseUrl: string, email: string): Promise<string> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ password_hash: string }>(
      'SELECT password_hash FROM identity.users WHERE email = $1',
      [email],
    );
    const match = /^\$(argon2\w+)\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(rows[0]?.password_hash ?? '');
    if (!match) throw new Error(`no argon2 hash stored for ${email}`);
    const [, variant, version, memory, passes, lanes] = match;
    return `${variant} v=${version}, m=${memory} KiB, t=${passes}, p=${lanes}`;
  } finally {
    await client.end();
  }
}
