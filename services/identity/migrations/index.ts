import type { Migration } from '@ticketpro/shared';
import * as createOutbox from './001_create_outbox';
import * as createUsers from './002_create_users';
import * as createRefreshTokens from './003_create_refresh_tokens';
import * as createSigningKeys from './004_create_signing_keys';
import * as addTokenVersions from './005_add_token_versions';
import * as signingKeyGenerations from './006_signing_key_generations';

/** Identity's schema history, oldest first. */
export const migrations: Migration[] = [
  createOutbox,
  createUsers,
  createRefreshTokens,
  createSigningKeys,
  addTokenVersions,
  signingKeyGenerations,
];
