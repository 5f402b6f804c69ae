/** An operator's command line that names no valid command: every CLI answers it with exit code 2. */
export class UsageError extends Error {}
