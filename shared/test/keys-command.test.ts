import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ACCESS_TOKEN_KEYS, Keyring, SIGNING_KEYS_TABLE, type Database } from '@ticketpro/shared';
import { createKeyringDatabase, type KeyringDatabase } from './support/keyring-database';

const REPO_ROOT = path.resolve(__dirname, '../..');
// By URL: the command runs in a directory of its own, from which a bare `tsx` would not resolve.
const TSX_LOADER = pathToFileURL(require.resolve('tsx', { paths: [REPO_ROOT] })).href;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run keys -- …` as an operator runs it (`tsx shared/bin/keys.ts`), with only `env` set. */
function runKeys(args: string[], env: Record<string, string>, cwd: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX_LOADER, path.join(REPO_ROOT, 'shared/bin/keys.ts'), ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    );
  });
}

describe('npm run keys', () => {
  let database: KeyringDatabase;
  let db: Database;
  let cwd: string;

  beforeAll(async () => {
    // A directory without a .env, so only the settings given here count.
    cwd = await mkdtemp(path.join(os.tmpdir(), 'ticketpro-keys-'));
    database = await createKeyringDatabase('keys_command', 'identity');
    ({ db } = database);
  });

  afterAll(async () => {
    await database?.drop();
    await rm(cwd, { recursive: true, force: true });
  });

  it.each([
    [[], 'No command given'],
    [['rotate'], 'Name a service: identity or ticketing'],
    [['rotate', 'catalog'], "'catalog' keeps no keyring"],
    [['retire', 'identity'], "Unknown command 'retire'"],
    [['rotate', 'identity', '--force'], "Unknown option '--force'"],
  ])('answers %j with exit code 2, the reason and the usage, no stack trace', async (args, reason) => {
    const { code, stdout, stderr } = await runKeys(args, { DATABASE_URL: database.url }, cwd);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^keys: ${reason}`));
    expect(stderr).toContain('Usage: npm run keys -- rotate <service>');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('refuses with exit code 1 and one line when there is no database to rotate in', async () => {
    const { code, stderr } = await runKeys(['rotate', 'ticketing'], {}, cwd);

    expect(code).toBe(1);
    expect(stderr).toBe(
      'keys: No database to rotate in: set TICKETING_DATABASE_URL or DATABASE_URL. Embedded mode (npm start) ' +
        'keeps its databases inside its one process; stop it and start it with a Postgres URL first.\n',
    );
  });

  it('reports a database it cannot reach in one line, exit code 1', async () => {
    const url = new URL(database.url);
    url.pathname = '/no_such_database_for_keys';
    const { code, stderr } = await runKeys(['rotate', 'identity'], { DATABASE_URL: url.toString() }, cwd);

    expect(code).toBe(1);
    expect(stderr).toBe('keys: database "no_such_database_for_keys" does not exist\n');
  });

  it('leaves exactly one current key when two rotations run at once; the old key stays', async () => {
    const before = (await Keyring.open(db, ACCESS_TOKEN_KEYS)).active;

    const outcomes = await Promise.all(
      [1, 2].map(() => runKeys(['rotate', 'identity'], { IDENTITY_DATABASE_URL: database.url }, cwd)),
    );

    // One key per generation: the second rotation either followed the first or lost the race to
    // insert the same generation, and then reports the key that won.
    const rows: { kid: string; generation: number }[] = await db(SIGNING_KEYS_TABLE)
      .select('kid', 'generation')
      .where('purpose', 'access-token')
      .orderBy('generation');
    expect(rows[0].kid).toBe(before.kid);
    expect(rows.map((r) => r.generation)).toEqual(rows.length === 2 ? [1, 2] : [1, 2, 3]);
    expect((await Keyring.open(db, ACCESS_TOKEN_KEYS)).active.kid).toBe(rows[rows.length - 1].kid);
    for (const { code, stdout } of outcomes) {
      expect(code).toBe(0);
      const reported = /the access-token key (\S+) \(generation (\d+)\)/.exec(stdout);
      expect(rows).toContainEqual({ kid: reported?.[1], generation: Number(reported?.[2]) });
    }
  });
});
