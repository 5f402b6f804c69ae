import { parseArgs } from 'node:util';
import { UsageError } from './usage-error';
import { databaseUrlFor, type Config } from '../config';
import { connectToSchema } from '../db';
import { KEYRING_RELOAD_MS, Keyring, SIGNING_KEYS_TABLE } from '../keyring';
import { SERVICE_KEYRINGS, type KeyringService } from '../keyrings';

export const KEYS_USAGE = `Usage: npm run keys -- rotate <service>

  rotate identity     a new key signs access tokens from now on
  rotate ticketing    a new key signs ticket codes from now on

Keys signed with before keep verifying: no key is ever retired (docs/OPERATIONS.md, "Rotating
keys"). Run it with the service's own settings: it writes to the service's database, from
<SERVICE>_DATABASE_URL or DATABASE_URL (a Postgres URL; embedded mode has none).
Exit codes: 0 rotated, 1 the database or the settings do not allow it, 2 bad arguments.
`;

/** Arguments that are not a command: exit 2. */
export class KeysUsageError extends UsageError {}

/** A rotation that cannot or must not happen with these settings: exit 1. */
export class KeysRefusal extends Error {}

export interface RotateKeysRequest {
  service: KeyringService;
}

export function parseKeysArgs(argv: readonly string[]): RotateKeysRequest | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw new KeysUsageError((err as Error).message);
  }
  if (parsed.values.help) return 'help';
  const [command, service, ...rest] = parsed.positionals;
  if (command !== 'rotate') throw new KeysUsageError(command ? `Unknown command '${command}'` : 'No command given');
  if (!isKeyringService(service)) {
    const known = Object.keys(SERVICE_KEYRINGS).join(' or ');
    throw new KeysUsageError(service ? `'${service}' keeps no keyring: name ${known}` : `Name a service: ${known}`);
  }
  if (rest.length > 0) throw new KeysUsageError(`Unexpected argument '${rest[0]}'`);
  return { service };
}

function isKeyringService(name: string | undefined): name is KeyringService {
  return name !== undefined && Object.hasOwn(SERVICE_KEYRINGS, name);
}

/**
 * Adds a generation to the service's keyring in its database and answers what to tell the
 * operator. Running instances pick the new key up at their next reload; two rotations at once
 * make one new generation (the keyring's `(purpose, generation)` is unique, the first insert wins).
 */
export async function rotateKeys(config: Config, { service }: RotateKeysRequest): Promise<string> {
  if (service === 'identity' && (config.JWT_PRIVATE_KEY || config.JWT_PRIVATE_KEY_FILE)) {
    throw new KeysRefusal(
      'identity signs access tokens with the key configured in JWT_PRIVATE_KEY(_FILE), not with the keyring in ' +
        'its database: rotating the keyring would change nothing. Rotate a configured key by configuring a new ' +
        'one (docs/OPERATIONS.md, "Rotating keys").',
    );
  }
  const url = databaseUrlFor(config, service);
  if (!url) {
    throw new KeysRefusal(
      `No database to rotate in: set ${service.toUpperCase()}_DATABASE_URL or DATABASE_URL. Embedded mode ` +
        '(npm start) keeps its databases inside its one process; stop it and start it with a Postgres URL first.',
    );
  }
  const db = connectToSchema(url, service);
  try {
    if (!(await db.schema.withSchema(service).hasTable(SIGNING_KEYS_TABLE))) {
      throw new KeysRefusal(`The ${service} schema has no ${SIGNING_KEYS_TABLE} table: start ${service} once first.`);
    }
    const options = SERVICE_KEYRINGS[service];
    const keyring = await Keyring.open(db, options);
    const previous = keyring.active;
    const current = await keyring.rotate();
    const older = keyring.keys.length - 1;
    return (
      `${service}: the ${options.purpose} key ${current.kid} (generation ${current.generation}) signs from now on, ` +
      `replacing ${previous.kid}; ${older} older ${older === 1 ? 'key keeps' : 'keys keep'} verifying.\n` +
      `Running instances sign with it within ${KEYRING_RELOAD_MS / 1000} s.\n`
    );
  } finally {
    await db.destroy();
  }
}
