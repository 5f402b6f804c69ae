import { existsSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { Type, type Static, type TOptional, type TString } from '@sinclair/typebox';
import { createAjv, formatAjvErrors } from './validation';
import { SERVICE_NAMES, type ServiceName } from './contracts/registry';

export type { ServiceName } from './contracts/registry';

/** The setting that gives one service a Postgres of its own: `CATALOG_DATABASE_URL`. */
type DatabaseUrlKey<S extends ServiceName> = `${Uppercase<S>}_DATABASE_URL`;

function databaseUrlKey<S extends ServiceName>(service: S): DatabaseUrlKey<S> {
  return `${service.toUpperCase() as Uppercase<S>}_DATABASE_URL`;
}

/** `<SERVICE>_DATABASE_URL` for every registered service, each overriding DATABASE_URL for that service. */
function perServiceDatabaseUrls() {
  return Object.fromEntries(
    SERVICE_NAMES.map((service) => [databaseUrlKey(service), Type.Optional(Type.String({ minLength: 1 }))]),
  ) as { [S in ServiceName as DatabaseUrlKey<S>]: TOptional<TString> };
}

/**
 * How long a statement waits for a free connection of its service's pool before the action
 * answers 503. Knex's own 10 s by default: with 3 s, bursts that a loaded two-core node clears
 * in 3–5 s (50 pays at once, a 300-buyer race on an event with a capacity) were answered 503 in
 * part, in a CI run at load 12. An operator who would rather shed sooner sets it below the
 * buyer's call timeouts (docs/OPERATIONS.md, "Overload").
 */
export const DEFAULT_DATABASE_ACQUIRE_TIMEOUT_MS = 10_000;

/**
 * Every environment variable TicketPro reads, with its default. `.env.example` mirrors this
 * schema and a unit test keeps the two in step.
 */
export const ConfigSchema = Type.Object({
  NODE_ENV: Type.String({ default: 'development' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ default: '0.0.0.0' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  DATA_DIR: Type.String({ default: '.data' }),
  DATABASE_URL: Type.Optional(Type.String({ minLength: 1 })),
  ...perServiceDatabaseUrls(),
  DATABASE_POOL_MAX: Type.Integer({ minimum: 1, default: 10 }),
  DATABASE_ACQUIRE_TIMEOUT_MS: Type.Integer({ minimum: 100, default: DEFAULT_DATABASE_ACQUIRE_TIMEOUT_MS }),
  NATS_URL: Type.Optional(Type.String({ minLength: 1 })),
  TRANSPORTER_SERIALIZER: Type.Union(
    ['JSON', 'CBOR'].map((s) => Type.Literal(s)),
    { default: 'JSON' },
  ),
  NAMESPACE: Type.String({ default: 'ticketpro' }),
  EVENT_SUBJECT_PREFIX: Type.String({ pattern: '^[a-zA-Z0-9_-]+$', default: 'ticketpro' }),
  EVENT_STREAM: Type.String({ pattern: '^[a-zA-Z0-9_-]+$', default: 'TICKETPRO' }),
  OUTBOX_RETENTION_HOURS: Type.Integer({ minimum: 1, default: 168 }),
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10000 }),
  HEARTBEAT_INTERVAL_SECONDS: Type.Integer({ minimum: 1, default: 5 }),
  HEARTBEAT_TIMEOUT_SECONDS: Type.Integer({ minimum: 2, default: 15 }),
  OPS_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  METRICS_ON_API_PORT: Type.Boolean({ default: false }),
  SHUTDOWN_DRAIN_MS: Type.Integer({ minimum: 0, default: 0 }),
  ADMIN_EMAIL: Type.Optional(Type.String({ minLength: 3 })),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  PASSWORD_HASH_COST: Type.Union([Type.Literal('owasp'), Type.Literal('test')], { default: 'owasp' }),
  ORDER_HOLD_SECONDS: Type.Integer({ minimum: 1, default: 900 }),
  MAX_PENDING_ORDERS_PER_USER: Type.Integer({ minimum: 0, default: 10 }),
  MAX_PENDING_UNITS_PER_EVENT: Type.Integer({ minimum: 0, default: 50 }),
  TRANSFER_OFFER_HOURS: Type.Integer({ minimum: 1, maximum: 720, default: 72 }),
  MAX_TICKET_TYPES_PER_EVENT: Type.Integer({ minimum: 0, default: 50 }),
  WAITLIST_OFFER_SECONDS: Type.Integer({ minimum: 1, default: 900 }),
  HOLD_SWEEP_INTERVAL_MS: Type.Integer({ minimum: 100, default: 5000 }),
  ORDER_EXPIRY_SWEEP_INTERVAL_MS: Type.Integer({ minimum: 100, default: 5000 }),
  ACCESS_TOKEN_TTL: Type.Integer({ minimum: 1, default: 900 }),
  REFRESH_TOKEN_TTL: Type.Integer({ minimum: 1, default: 604800 }),
  JWT_ISSUER: Type.String({ default: 'ticketpro-identity' }),
  JWT_AUDIENCE: Type.String({ default: 'ticketpro-api' }),
  JWT_PRIVATE_KEY: Type.Optional(Type.String({ minLength: 1 })),
  JWT_PRIVATE_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  JWT_PUBLIC_KEY: Type.Optional(Type.String({ minLength: 1 })),
  JWT_PUBLIC_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  RATE_LIMIT_LOGIN: Type.Integer({ minimum: 0, default: 10 }),
  RATE_LIMIT_LOGIN_FAILURES: Type.Integer({ minimum: 0, default: 5 }),
  RATE_LIMIT_REGISTER: Type.Integer({ minimum: 0, default: 5 }),
  RATE_LIMIT_REFRESH: Type.Integer({ minimum: 0, default: 20 }),
  RATE_LIMIT_WRITES: Type.Integer({ minimum: 0, default: 120 }),
  TRUST_PROXY: Type.Boolean({ default: false }),
  LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: Type.Integer({ minimum: 0, default: 300 }),
  EVENT_READ_CACHE_MS: Type.Integer({ minimum: 0, maximum: 60000, default: 1000 }),
  EVENT_READ_CACHE_MAX_ENTRIES: Type.Integer({ minimum: 1, maximum: 1000000, default: 1000 }),
  CORS_ORIGIN: Type.String({ default: '*' }),
  HTTP_HEADERS_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10000 }),
  HTTP_REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 30000 }),
  HTTP_MAX_CONNECTIONS_PER_ADDRESS: Type.Integer({ minimum: 0, default: 256 }),
  PAYMENT_PROVIDER: Type.Optional(Type.Union([Type.Literal('test'), Type.Literal('stripe')])),
  STRIPE_SECRET_KEY: Type.Optional(Type.String({ minLength: 1 })),
  STRIPE_WEBHOOK_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  PAYNOW_INTEGRATION_ID: Type.Optional(Type.String({ minLength: 1 })),
  PAYNOW_INTEGRATION_KEY: Type.Optional(Type.String({ minLength: 1 })),
  PAYNOW_API_URL: Type.String({ default: 'https://www.paynow.co.zw' }),
  PAYNOW_RESULT_URL: Type.Optional(Type.String({ minLength: 1 })),
  PAYNOW_RETURN_URL: Type.Optional(Type.String({ minLength: 1 })),
  PAYMENT_PENDING_MAX_SECONDS: Type.Integer({ minimum: 1, default: 600 }),
  PAYMENT_POLL_INTERVAL_SECONDS: Type.Integer({ minimum: 1, default: 30 }),
  MAIL_PROVIDER: Type.Optional(Type.Union([Type.Literal('file'), Type.Literal('smtp'), Type.Literal('sendgrid')])),
  MAIL_FROM: Type.String({ minLength: 3, default: 'TicketPro <tickets@ticketpro.local>' }),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  SENDGRID_API_KEY: Type.Optional(Type.String({ minLength: 1 })),
  SENDGRID_API_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  MAIL_TIME_ZONE: Type.String({ minLength: 1, default: 'Africa/Harare' }),
  REMINDER_BEFORE: Type.String({ pattern: '^[1-9][0-9]*(m|h|d)$', default: '24h' }),
  REMINDER_SWEEP_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 10 }),
  RATE_LIMIT_RESEND: Type.Integer({ minimum: 0, default: 5 }),
  MAIL_MAX_ATTEMPTS: Type.Integer({ minimum: 1, default: 8 }),
  MAIL_RETRY_SECONDS: Type.Integer({ minimum: 1, default: 2 }),
  MAIL_DISPATCH_INTERVAL_MS: Type.Integer({ minimum: 100, default: 1000 }),
});

export type Config = Static<typeof ConfigSchema>;

const validateConfig = createAjv({ coerce: true }).compile<Config>(ConfigSchema);

export class ConfigError extends Error {}

/**
 * Reads configuration from `env` (by default `process.env`, after loading `.env` from the
 * working directory when present). Empty strings count as unset, so `FOO=` in `.env` keeps the default.
 */
export function loadConfig(env: NodeJS.ProcessEnv = readProcessEnv()): Config {
  const known = Object.keys(ConfigSchema.properties);
  const input: Record<string, unknown> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  if (!validateConfig(input)) {
    const problems = formatAjvErrors(validateConfig.errors ?? []).map((e) => `${e.field}: ${e.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return input;
}

function readProcessEnv(): NodeJS.ProcessEnv {
  const file = path.resolve(process.cwd(), '.env');
  if (existsSync(file)) dotenv.config({ path: file });
  return process.env;
}

/** The Postgres URL for one service, or undefined for embedded PGlite. */
export function databaseUrlFor(config: Config, service: ServiceName): string | undefined {
  return config[databaseUrlKey(service)] ?? config.DATABASE_URL;
}
