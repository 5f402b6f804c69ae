import { Type, type Static } from '@sinclair/typebox';
import { AuditTimestamps, Id, IdAndChanges, RemovedFacts, Text } from './common';
import { PageQuery } from '../pagination';

export const ROLES = ['user', 'organizer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RoleSchema = Type.Union(
  ROLES.map((r) => Type.Literal(r)),
  { description: 'user, organizer or admin' },
);
const SelfChosenRole = Type.Union([Type.Literal('user'), Type.Literal('organizer')], {
  description: 'user (default) or organizer; admin cannot be self-chosen',
});

export const Firstname = Text(1, 100);
export const Surname = Text(1, 100);
export const StreetAddress = Text(5, 200);

export const Email = Type.String({
  format: 'email',
  maxLength: 254,
  errorMessage: 'must be a valid email address',
});

/** 10–15 digits once spaces, dashes and parentheses are removed, optional leading `+`. */
export const PhoneNumber = Type.String({
  maxLength: 40,
  pattern: '^\\+?(?:[\\s\\-()]*\\d){10,15}[\\s\\-()]*$',
  errorMessage: 'must be 10-15 digits (spaces, dashes, parentheses and a leading + allowed)',
});

/** The rules a client can check itself; "not a common password" is checked by identity. */
export const Password = Type.String({
  minLength: 8,
  maxLength: 128,
  errorMessage: 'must be 8-128 characters',
  allOf: [
    { pattern: '\\p{Lu}', errorMessage: 'must contain an uppercase letter (rule: uppercase)' },
    { pattern: '\\p{Ll}', errorMessage: 'must contain a lowercase letter (rule: lowercase)' },
    { pattern: '\\p{Nd}', errorMessage: 'must contain a digit (rule: digit)' },
  ],
});

export const RegisterBody = Type.Object(
  {
    firstname: Firstname,
    surname: Surname,
    email: Email,
    password: Password,
    phone_number: PhoneNumber,
    street_address: StreetAddress,
    active: Type.Optional(Type.Boolean()),
    role: Type.Optional(SelfChosenRole),
  },
  { additionalProperties: false },
);
export type RegisterBody = Static<typeof RegisterBody>;

/**
 * JSON `{email or username, password}`, or the OAuth2 password-flow form (`username`,
 * `password`, and the `grant_type`/`scope`/`client_*` fields OAuth2 clients send along).
 */
export const LoginBody = Type.Object(
  {
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    grant_type: Type.Optional(Type.Literal('password')),
    scope: Type.Optional(Type.String({ maxLength: 1000 })),
    client_id: Type.Optional(Type.String({ maxLength: 200 })),
    client_secret: Type.Optional(Type.String({ maxLength: 200 })),
  },
  {
    additionalProperties: false,
    anyOf: [{ required: ['email'] }, { required: ['username'] }],
    errorMessage: 'email or username is required',
  },
);
export type LoginBody = Static<typeof LoginBody>;

/** `identity.login`: the gateway maps the OAuth2 form's `username` to `email` before calling. */
export const LoginParams = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 254 }), password: LoginBody.properties.password },
  { additionalProperties: false },
);
export type LoginParams = Static<typeof LoginParams>;

/**
 * No length bound: any string that is not a live refresh token (an access token, a truncated
 * copy…) is answered 401 like any other wrong token, not 422. The body limit bounds it.
 */
export const RefreshBody = Type.Object(
  { refresh_token: Type.String({ minLength: 1 }) },
  { additionalProperties: false },
);
export type RefreshBody = Static<typeof RefreshBody>;

export const TokenSchema = Type.Object(
  {
    access_token: Type.String(),
    refresh_token: Type.String(),
    token_type: Type.Literal('bearer'),
    expires_in: Type.Integer({ description: 'Seconds until the access token expires' }),
  },
  { $id: 'Token', additionalProperties: false },
);
export type Token = Static<typeof TokenSchema>;

export const UserSchema = Type.Object(
  {
    id: Id,
    firstname: Type.String(),
    surname: Type.String(),
    email: Type.String(),
    phone_number: Type.String(),
    street_address: Type.String(),
    active: Type.Boolean(),
    role: RoleSchema,
    is_verified: Type.Boolean(),
    ...AuditTimestamps,
  },
  { $id: 'User', additionalProperties: false },
);
export type User = Static<typeof UserSchema>;

export const ListUsersQuery = Type.Object(
  {
    ...PageQuery,
    role: Type.Optional(RoleSchema),
    search: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type ListUsersQuery = Static<typeof ListUsersQuery>;

export const UpdateUserBody = Type.Object(
  {
    firstname: Type.Optional(Firstname),
    surname: Type.Optional(Surname),
    phone_number: Type.Optional(PhoneNumber),
    street_address: Type.Optional(StreetAddress),
    role: Type.Optional(RoleSchema),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1, errorMessage: 'at least one field to change is required' },
);
export type UpdateUserBody = Static<typeof UpdateUserBody>;

export const UpdateUserParams = IdAndChanges(UpdateUserBody);
export type UpdateUserParams = Static<typeof UpdateUserParams>;

/** `identity.users.names`: at most one page of a list (catalog asks once for the organizers of a page of events). */
export const UserNamesParams = Type.Object(
  { ids: Type.Array(Id, { minItems: 1, maxItems: 100, uniqueItems: true }) },
  { additionalProperties: false },
);
export type UserNamesParams = Static<typeof UserNamesParams>;

/** A user's public name, as other services show it beside their records. */
export const PublicNameSchema = Type.Object(
  { id: Id, firstname: Type.String(), surname: Type.String() },
  { additionalProperties: false },
);
export type PublicName = Static<typeof PublicNameSchema>;

/** A JSON Web Key Set with identity's public signing keys. */
export const JwksSchema = Type.Object({
  keys: Type.Array(
    Type.Object({ kid: Type.String(), alg: Type.String(), kty: Type.String() }, { additionalProperties: true }),
  ),
});
export type Jwks = Static<typeof JwksSchema>;

/**
 * How long a revocation matters: an access token lives `ACCESS_TOKEN_TTL` seconds from its
 * signing, and a token signed just after a revocation may carry what identity read just before
 * it (a login verifying its password meanwhile). A minute more covers that and clock skew.
 */
export function revocationHorizonSeconds(config: { ACCESS_TOKEN_TTL: number }): number {
  return config.ACCESS_TOKEN_TTL + 60;
}

/**
 * `identity.tokens.revocations`: the token versions raised and the sign-ins ended within the
 * revocation horizon, for a gateway whose event feed has no history (embedded mode) to start from.
 */
export const TokenRevocationsSchema = Type.Object(
  {
    users: Type.Array(
      Type.Object(
        { id: Id, token_version: Type.Integer({ minimum: 0 }), deleted: Type.Boolean() },
        { additionalProperties: false },
      ),
    ),
    sessions: Type.Array(Type.Object({ user_id: Id, session_id: Type.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type TokenRevocations = Static<typeof TokenRevocationsSchema>;

// --- Identity's domain events (their payloads; the contract names them and their versions). ---

export const UserFacts = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    firstname: Type.String(),
    surname: Type.String(),
    role: Type.Union([Type.Literal('user'), Type.Literal('organizer'), Type.Literal('admin')]),
    active: Type.Boolean(),
  },
  { additionalProperties: false },
);

/**
 * With the user's token version: identity raises it when the account is deactivated or changes
 * role, and access tokens that carry a lower one (claim `ver`) are refused from then on.
 */
export const UserFactsWithTokenVersion = Type.Object(
  { ...UserFacts.properties, token_version: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);

/** With the address and names a message to the user needs (notifications keeps them). */
export const UserFactsWithEmail = Type.Object(
  { ...UserFacts.properties, email: Type.String() },
  { additionalProperties: false },
);

/** An update's facts with the address, as `UserFactsWithEmail` adds it to a registration's. */
export const UserFactsWithTokenVersionAndEmail = Type.Object(
  { ...UserFactsWithTokenVersion.properties, email: Type.String() },
  { additionalProperties: false },
);

export const UserRemoved = RemovedFacts();

/** A sign-in ended (logout, or its refresh token replayed): its access tokens (claim `sid`) are refused. */
export const SessionRevokedFacts = Type.Object(
  { user_id: Type.Integer({ minimum: 1 }), session_id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
