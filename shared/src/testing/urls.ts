/**
 * Where the tests' servers are. Apart from the other helpers so that jest's globalSetup can read
 * them without loading the configuration schema.
 */

/** The server tests create their databases on: `TEST_DATABASE_URL`, else the local default. */
export function adminDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function testNatsUrl(): string {
  return process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
}
