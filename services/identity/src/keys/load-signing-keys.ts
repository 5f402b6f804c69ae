import { readFile } from 'node:fs/promises';
import { ACCESS_TOKEN_KEYS, Keyring, type Config, type Database } from '@ticketpro/shared';
import { signingKeyFromPem, type SigningKey, type SigningKeys } from './signing-key';

/**
 * The keys access tokens are signed with: `JWT_PRIVATE_KEY` or `JWT_PRIVATE_KEY_FILE` when set
 * (that one key), otherwise identity's keyring in its database, whose first key is made on the
 * very first start.
 */
export async function loadSigningKeys(config: Config, db: Database): Promise<SigningKeys> {
  if (config.JWT_PRIVATE_KEY) {
    // Environment variables often carry a PEM with its line breaks written as `\n`.
    return onlyKey(signingKeyFromPem(config.JWT_PRIVATE_KEY.replace(/\\n/g, '\n'), 'JWT_PRIVATE_KEY'));
  }
  if (config.JWT_PRIVATE_KEY_FILE) {
    const pem = await readFile(config.JWT_PRIVATE_KEY_FILE, 'utf8');
    return onlyKey(signingKeyFromPem(pem, `JWT_PRIVATE_KEY_FILE (${config.JWT_PRIVATE_KEY_FILE})`));
  }
  return Keyring.open(db, ACCESS_TOKEN_KEYS);
}

/** A key configured by the operator: the only one, rotated by configuring another. */
function onlyKey(key: SigningKey): SigningKeys {
  return { active: key, keys: [key], reload: async () => undefined };
}
