/** Writes one line for the operator on stderr, prefixed with the command's name. */
export type Tell = (message: string) => void;

/**
 * Runs an operator's command on its arguments: `main` answers the exit code, and an error it
 * throws becomes one line on stderr and exit code 1, never a stack trace.
 */
export function runCommand(name: string, main: (argv: string[], tell: Tell) => Promise<number>): void {
  const tell: Tell = (message) => process.stderr.write(`${name}: ${message}\n`);
  main(process.argv.slice(2), tell).then(
    (code) => {
      process.exitCode = code;
    },
    (err: Error) => {
      tell(err.message);
      process.exitCode = 1;
    },
  );
}
