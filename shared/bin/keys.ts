/**
 * `npm run keys -- rotate <service>`: rotates a service's signing keys (see KEYS_USAGE). Exit
 * codes: 0 rotated or --help, 1 when the database or the settings do not allow it, 2 for bad
 * arguments. Errors are one line on stderr, never a stack trace.
 */
import { loadConfig } from '../src/config';
import { KEYS_USAGE, parseKeysArgs, rotateKeys } from '../src/operations/rotate-keys';
import { runCommand } from './command';

runCommand({
  name: 'keys',
  usage: KEYS_USAGE,
  usageHint: KEYS_USAGE,
  parse: parseKeysArgs,
  async run(request) {
    process.stdout.write(await rotateKeys(loadConfig(), request));
    return 0;
  },
});
