import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Knex } from 'knex';
import type { Static } from '@sinclair/typebox';
import type { TicketKeysSchema } from '@ticketpro/shared';

const TABLE = 'signing_keys';

export interface TicketSigningKey {
  kid: string;
  generation: number;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A stable id for a public key: the same key gets the same `kid` on every instance. */
function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url').slice(0, 16);
}

/**
 * The Ed25519 keys kept in ticketing's database. The newest generation signs new codes; every
 * generation still verifies, so rotating leaves the codes already handed out valid. Made on the
 * very first start; instances starting or rotating together agree on one key per generation.
 */
export class TicketKeyring {
  private keys = new Map<string, TicketSigningKey>();

  private constructor(private readonly db: Knex) {}

  static async open(db: Knex): Promise<TicketKeyring> {
    const keyring = new TicketKeyring(db);
    await keyring.reload();
    if (keyring.keys.size === 0) await keyring.addGeneration(1);
    return keyring;
  }

  /** The key new codes are signed with. */
  get active(): TicketSigningKey {
    let newest: TicketSigningKey | undefined;
    for (const key of this.keys.values()) if (!newest || key.generation > newest.generation) newest = key;
    if (!newest) throw new Error('The ticket keyring is empty');
    return newest;
  }

  /** The key with this id; a key another instance made since the last look is read then. */
  async find(kid: string): Promise<TicketSigningKey | undefined> {
    if (!this.keys.has(kid)) await this.reload();
    return this.keys.get(kid);
  }

  /** Makes a new signing key; the older ones keep verifying. Resolves to the new active key. */
  async rotate(): Promise<TicketSigningKey> {
    await this.reload();
    await this.addGeneration(this.active.generation + 1);
    return this.active;
  }

  /** The public keys as a JWKS (kty OKP, crv Ed25519), newest first. */
  publicKeys(): Static<typeof TicketKeysSchema> {
    const newestFirst = [...this.keys.values()].sort((a, b) => b.generation - a.generation);
    return {
      keys: newestFirst.map((key) => {
        const { x } = key.publicKey.export({ format: 'jwk' });
        return { kid: key.kid, kty: 'OKP' as const, crv: 'Ed25519' as const, x: x as string, use: 'sig' as const };
      }),
    };
  }

  private async addGeneration(generation: number): Promise<void> {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    // The loser of a race keeps the winner's key for this generation.
    await this.db(TABLE)
      .insert({ kid: keyIdOf(publicKey), generation, private_key_pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) })
      .onConflict('generation')
      .ignore();
    await this.reload();
  }

  private async reload(): Promise<void> {
    const rows: { kid: string; generation: number; private_key_pem: string }[] = await this.db(TABLE).select(
      'kid',
      'generation',
      'private_key_pem',
    );
    const keys = new Map<string, TicketSigningKey>();
    for (const row of rows) {
      const privateKey = createPrivateKey(row.private_key_pem);
      keys.set(row.kid, { kid: row.kid, generation: row.generation, privateKey, publicKey: createPublicKey(privateKey) });
    }
    this.keys = keys;
  }
}
