import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Config, Database } from '@ticketpro/shared';
import { signingKeyFrom, signingKeyFromPem, type SigningKey } from './signing-key';

const TABLE = 'signing_keys';
const PURPOSE = 'access-token';

/**
 * The key access tokens are signed with: `JWT_PRIVATE_KEY` or `JWT_PRIVATE_KEY_FILE` when set,
 * otherwise the one kept in identity's database, made on the very first start.
 */
export async function loadSigningKey(config: Config, db: Database): Promise<SigningKey> {
  if (config.JWT_PRIVATE_KEY) {
    // Environment variables often carry a PEM with its line breaks written as `\n`.
    return signingKeyFromPem(config.JWT_PRIVATE_KEY.replace(/\\n/g, '\n'), 'JWT_PRIVATE_KEY');
  }
  if (config.JWT_PRIVATE_KEY_FILE) {
    const pem = await readFile(config.JWT_PRIVATE_KEY_FILE, 'utf8');
    return signingKeyFromPem(pem, `JWT_PRIVATE_KEY_FILE (${config.JWT_PRIVATE_KEY_FILE})`);
  }
  return storedSigningKey(db);
}

async function storedSigningKey(db: Database): Promise<SigningKey> {
  const existing = await readStoredPem(db);
  if (existing) return signingKeyFromPem(existing, `the stored ${PURPOSE} key`);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const candidate = signingKeyFrom(privateKey);
  // Instances starting together each make a key; the first insert wins and everyone reads it back.
  await db(TABLE)
    .insert({
      purpose: PURPOSE,
      kid: candidate.kid,
      private_key_pem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    })
    .onConflict('purpose')
    .ignore();
  const stored = await readStoredPem(db);
  if (!stored) throw new Error('The signing key vanished right after it was stored');
  return signingKeyFromPem(stored, `the stored ${PURPOSE} key`);
}

async function readStoredPem(db: Database): Promise<string | undefined> {
  const row: { private_key_pem: string } | undefined = await db(TABLE)
    .select('private_key_pem')
    .where({ purpose: PURPOSE })
    .first();
  return row?.private_key_pem;
}
