import { loadConfig, prepareEmbeddedDatabases, SERVICE_NAMES } from '@ticketpro/shared/embedded';

/**
 * Imported first by `main-embedded.ts`, so that it runs before the rest of the process is loaded:
 * a first start's databases are created by a child process (initdb, seconds of the other core),
 * which then begins about a second earlier. A configuration that does not load is left for
 * `runNode` to report, as it would be without this.
 */
try {
  prepareEmbeddedDatabases(loadConfig(), SERVICE_NAMES);
} catch {
  // reported by runNode, which loads the configuration again
}
