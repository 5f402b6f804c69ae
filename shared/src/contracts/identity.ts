import { Type } from '@sinclair/typebox';
import { versionedEvent } from '../events/definition';
import { Page } from '../pagination';
import { IdParams, NoContent, NoParams } from '../schemas/common';
import {
  JwksSchema,
  ListUsersQuery,
  LoginParams,
  PublicNameSchema,
  RefreshBody,
  RegisterBody,
  SessionRevokedFacts,
  TokenRevocationsSchema,
  TokenSchema,
  UpdateUserParams,
  UserFacts,
  UserFactsWithTokenVersion,
  UserFactsWithEmail,
  UserFactsWithTokenVersionAndEmail,
  UserNamesParams,
  UserRemoved,
  UserSchema,
} from '../schemas/identity';
import { defineContract, read, timedRead, write } from './define';
import { READ_TIMEOUT_MS, SIGN_IN_TIMEOUT_MS } from './timeouts';

/** Users, credentials, refresh-token families and the keys access tokens are signed with. */
export const identityContract = defineContract({
  service: 'identity',
  actions: {
    register: write(RegisterBody, TokenSchema),
    login: write(LoginParams, TokenSchema, {
      repeatable: 'a repeat signs in again; a session the first attempt opened is never handed out and lapses',
      timeoutMs: SIGN_IN_TIMEOUT_MS,
    }),
    refresh: write(RefreshBody, TokenSchema, { timeoutMs: READ_TIMEOUT_MS }),
    logout: write(RefreshBody, NoContent),
    me: timedRead(NoParams, UserSchema),
    'users.list': read(ListUsersQuery, Page(UserSchema)),
    'users.get': read(IdParams, UserSchema),
    'users.update': write(UpdateUserParams, UserSchema),
    'users.delete': write(IdParams, NoContent),
    /** For other services: no caller needed, and no route. */
    'users.names': read(UserNamesParams, Type.Array(PublicNameSchema)),
    keys: read(NoParams, JwksSchema),
    /** For a starting gateway whose event feed has no history (embedded mode); no route. */
    'tokens.revocations': read(NoParams, TokenRevocationsSchema),
  },
  events: {
    // v2: email, for the messages notifications sends.
    'identity.user.registered': versionedEvent({ 1: UserFacts, 2: UserFactsWithEmail }),
    // v2: token_version, so that every gateway refuses older access tokens at once; v3: email too.
    'identity.user.updated': versionedEvent({
      1: UserFacts,
      2: UserFactsWithTokenVersion,
      3: UserFactsWithTokenVersionAndEmail,
    }),
    // Every access token of a deleted account is refused: ids are never reused.
    'identity.user.deleted': versionedEvent({ 1: UserRemoved }),
    'identity.session.revoked': versionedEvent({ 1: SessionRevokedFacts }),
  },
});
