import { UsageError } from '../src/operations/usage-error';

/** Writes one line for the operator on stderr, prefixed with the command's name. */
export type Tell = (message: string) => void;

/** An operator's command: how it reads its arguments, and what it does with them. */
export interface Command<Options> {
  name: string;
  /** Printed on stdout for `--help`. */
  usage: string;
  /** Follows the message of a wrong command line on stderr. */
  usageHint: string;
  /** The arguments' meaning, or 'help'; throws a `UsageError` for a wrong command line. */
  parse(argv: string[]): Options | 'help';
  /** Does the work and answers the exit code. */
  run(options: Options, tell: Tell): Promise<number>;
}

/**
 * Runs an operator's command on the process's arguments: a wrong command line is one line and
 * the hint on stderr with exit code 2, `--help` the usage with 0, any other error one line on
 * stderr and exit code 1, never a stack trace.
 */
export function runCommand<Options>(command: Command<Options>): void {
  const tell: Tell = (message) => process.stderr.write(`${command.name}: ${message}\n`);
  const main = async (): Promise<number> => {
    let options: Options | 'help';
    try {
      options = command.parse(process.argv.slice(2));
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      tell(`${err.message}\n${command.usageHint}`);
      return 2;
    }
    if (options === 'help') {
      process.stdout.write(command.usage);
      return 0;
    }
    return command.run(options, tell);
  };
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: Error) => {
      tell(err.message);
      process.exitCode = 1;
    },
  );
}
