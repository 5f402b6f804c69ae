/**
 * The embedded mode's first step, apart from the package entry: importing `@ticketpro/shared`
 * loads Moleculer, knex, NATS and the rest (about a second of a start), and a first start's
 * databases should not wait for that (see services/gateway/src/begin-embedded-databases.ts).
 */
export { loadConfig } from './src/config';
export { SERVICE_NAMES } from './src/contracts/registry';
export { prepareEmbeddedDatabases } from './src/embedded-postgres';
