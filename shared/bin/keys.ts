/**
 * `npm run keys -- rotate <service>`: rotates a service's signing keys (see KEYS_USAGE). Exit
 * codes: 0 rotated or --help, 1 when the database or the settings do not allow it, 2 for bad
 * arguments. Errors are one line on stderr, never a stack trace.
 */
import { loadConfig } from '../src/config';
import { KEYS_USAGE, KeysUsageError, parseKeysArgs, rotateKeys } from '../src/operations/rotate-keys';
import { runCommand, type Tell } from './command';

async function main(argv: string[], tell: Tell): Promise<number> {
  let request;
  try {
    request = parseKeysArgs(argv);
  } catch (err) {
    if (!(err instanceof KeysUsageError)) throw err;
    tell(`${err.message}\n${KEYS_USAGE}`);
    return 2;
  }
  if (request === 'help') {
    process.stdout.write(KEYS_USAGE);
    return 0;
  }
  process.stdout.write(await rotateKeys(loadConfig(), request));
  return 0;
}

runCommand('keys', main);
