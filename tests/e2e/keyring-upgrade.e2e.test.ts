import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

jest.setTimeout(120_000);

interface Upgrade {
  stored: { kid: string; generation: number }[];
  loaded: { kid: string; generation: number }[];
}

/**
 * A `.data` folder of the release before the shared keyring (identity's one signing key,
 * ticketing's generations of code keys) opened by this one: every stored key must still be
 * there, under its kid, on the embedded database (PGlite) `npm start` uses. Each upgrade runs as
 * a process of its own (tests/support/keyring-upgrade.ts): PGlite cannot load inside jest.
 */
describe('signing keys in an embedded database from the release before the shared keyring', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketpro-keyring-upgrade-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  async function upgrade(service: 'identity' | 'ticketing'): Promise<Upgrade> {
    const script = path.resolve(__dirname, '../support/keyring-upgrade.ts');
    // --liftoff-only, as `npm start` runs PGlite: its WebAssembly stays on V8's baseline compiler.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--liftoff-only', '--import', 'tsx', script, service, dataDir],
      {
        cwd: path.resolve(__dirname, '../..'),
      },
    );
    return JSON.parse(stdout.trim().split('\n').pop() ?? '');
  }

  it("identity's access-token key stays, as its first generation", async () => {
    const { stored, loaded } = await upgrade('identity');
    expect(loaded).toEqual(stored);
  });

  it("ticketing's code keys stay, every generation, the newest first", async () => {
    const { stored, loaded } = await upgrade('ticketing');
    expect(loaded).toEqual([...stored].reverse());
    expect(loaded.map((key) => key.generation)).toEqual([2, 1]);
  });
});
