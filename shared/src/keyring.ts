import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { Knex } from 'knex';
import type { TaskDeclaration } from './service';

/** The table a service keeps its signing keys in (one per service schema), every purpose together. */
export const SIGNING_KEYS_TABLE = 'signing_keys';

export interface KeyringKey {
  kid: string;
  generation: number;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface KeyringOptions {
  /** What the keys sign (`access-token`, `ticket-code`): a service may keep several keyrings. */
  purpose: string;
  /** A new private key, for the first generation and each rotation. */
  generate(): KeyObject;
  /** Refuses a stored key of the wrong kind, so a misconfigured table fails the start clearly. */
  check?(privateKey: KeyObject): void;
}

/**
 * How often a running instance reads its keyring again: within this time of a rotation (by
 * `npm run keys` or another instance) every instance signs with the new key.
 */
export const KEYRING_RELOAD_MS = 60_000;

/** The periodic task that keeps an instance's keys as the database has them. */
export function keyringReloadTask(keys: { reload(): Promise<void> }, everyMs = KEYRING_RELOAD_MS): TaskDeclaration {
  return { name: 'keyring reload', everyMs, run: () => keys.reload() };
}

/** A stable id for a public key: the same key gets the same `kid` on every instance and start. */
export function keyIdOf(publicKey: KeyObject): string {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64url').slice(0, 16);
}

/**
 * Signing keys kept in the service's database, by generation: the newest signs, every one still
 * verifies, so rotating leaves what was signed before valid. The first generation is made on the
 * very first start; instances starting or rotating together agree on one key per generation (the
 * first insert wins, `(purpose, generation)` being unique, and everyone reads it back).
 */
export class Keyring {
  private byKid = new Map<string, KeyringKey>();

  private constructor(
    private readonly db: Knex,
    private readonly options: KeyringOptions,
  ) {}

  static async open(db: Knex, options: KeyringOptions): Promise<Keyring> {
    const keyring = new Keyring(db, options);
    await keyring.reload();
    if (keyring.byKid.size === 0) await keyring.addGeneration(1);
    return keyring;
  }

  /** The key new signatures are made with: the newest generation. */
  get active(): KeyringKey {
    const [newest] = this.keys;
    if (!newest) throw new Error(`The ${this.options.purpose} keyring is empty`);
    return newest;
  }

  /** Every key, newest first, as this instance last read them. */
  get keys(): KeyringKey[] {
    return [...this.byKid.values()].sort((a, b) => b.generation - a.generation);
  }

  /** The key with this id; a key another instance made since the last look is read then. */
  async find(kid: string): Promise<KeyringKey | undefined> {
    if (!this.byKid.has(kid)) await this.reload();
    return this.byKid.get(kid);
  }

  /** Makes a new active key; the older ones keep verifying. Resolves to the new active key. */
  async rotate(): Promise<KeyringKey> {
    await this.reload();
    await this.addGeneration(this.active.generation + 1);
    return this.active;
  }

  /** Reads the keys again, for those another instance made. */
  async reload(): Promise<void> {
    const rows: { kid: string; generation: number; private_key_pem: string }[] = await this.db(SIGNING_KEYS_TABLE)
      .select('kid', 'generation', 'private_key_pem')
      .where('purpose', this.options.purpose);
    const byKid = new Map<string, KeyringKey>();
    for (const row of rows) {
      const privateKey = createPrivateKey(row.private_key_pem);
      this.options.check?.(privateKey);
      byKid.set(row.kid, {
        kid: row.kid,
        generation: row.generation,
        privateKey,
        publicKey: createPublicKey(privateKey),
      });
    }
    this.byKid = byKid;
  }

  private async addGeneration(generation: number): Promise<void> {
    const privateKey = this.options.generate();
    await this.db(SIGNING_KEYS_TABLE)
      .insert({
        purpose: this.options.purpose,
        generation,
        kid: keyIdOf(createPublicKey(privateKey)),
        private_key_pem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      })
      .onConflict(['purpose', 'generation'])
      .ignore();
    await this.reload();
  }
}
