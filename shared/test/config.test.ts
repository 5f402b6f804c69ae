import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, databaseUrlFor, loadConfig, SERVICE_NAMES } from '@ticketpro/shared';

describe('loadConfig', () => {
  it('fills every default when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      DATA_DIR: '.data',
      DATABASE_POOL_MAX: 10,
      DATABASE_ACQUIRE_TIMEOUT_MS: 10000,
      NAMESPACE: 'ticketpro',
      EVENT_SUBJECT_PREFIX: 'ticketpro',
      EVENT_STREAM: 'TICKETPRO',
      REQUEST_TIMEOUT_MS: 10000,
      ORDER_HOLD_SECONDS: 900,
      ACCESS_TOKEN_TTL: 900,
      REFRESH_TOKEN_TTL: 604800,
      RATE_LIMIT_LOGIN: 10,
      RATE_LIMIT_REGISTER: 5,
      RATE_LIMIT_REFRESH: 20,
      TRUST_PROXY: false,
      CORS_ORIGIN: '*',
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.NATS_URL).toBeUndefined();
    expect(config.PAYMENT_PROVIDER).toBeUndefined();
  });

  it('turns numeric and boolean strings into numbers and booleans', () => {
    const config = loadConfig({ PORT: '8080', ORDER_HOLD_SECONDS: '60', RATE_LIMIT_LOGIN: '0', TRUST_PROXY: 'true' });
    expect(config.PORT).toBe(8080);
    expect(config.ORDER_HOLD_SECONDS).toBe(60);
    expect(config.RATE_LIMIT_LOGIN).toBe(0);
    expect(config.TRUST_PROXY).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
  });

  it('treats empty strings as unset, so the default stays', () => {
    const config = loadConfig({ PORT: '', LOG_LEVEL: '', DATABASE_URL: '', TRUST_PROXY: '' });
    expect(config.PORT).toBe(3000);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.TRUST_PROXY).toBe(false);
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('keeps only the variables it knows', () => {
    const config = loadConfig({ PATH: '/usr/bin', HOME: '/root' });
    expect(config).not.toHaveProperty('PATH');
    expect(config).not.toHaveProperty('HOME');
  });

  it.each([
    [{ PORT: 'abc' }, /PORT: must be integer/],
    [{ PORT: '70000' }, /PORT: must be <= 65535/],
    [{ PORT: '80.5' }, /PORT: must be integer/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL: must be one of: fatal, error, warn, info, debug, trace, silent/],
    [{ TRUST_PROXY: 'yes' }, /TRUST_PROXY: must be boolean/],
    [{ DATABASE_POOL_MAX: '0' }, /DATABASE_POOL_MAX: must be >= 1/],
    [{ DATABASE_ACQUIRE_TIMEOUT_MS: '50' }, /DATABASE_ACQUIRE_TIMEOUT_MS: must be >= 100/],
    [{ PAYMENT_PROVIDER: 'paypal' }, /PAYMENT_PROVIDER: must be one of: test, stripe/],
    [{ EVENT_STREAM: 'has.dots' }, /EVENT_STREAM: must match pattern/],
  ])('rejects %j with a ConfigError naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('names every invalid variable at once', () => {
    expect(() => loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud' })).toThrow(/PORT: .*; LOG_LEVEL: /);
  });

  it('does not change the environment it reads', () => {
    const env = { PORT: '8080' };
    loadConfig(env);
    expect(env).toEqual({ PORT: '8080' });
  });
});

describe('loadConfig without arguments', () => {
  const cwd = process.cwd();
  const saved = { PORT: process.env.PORT, ORDER_HOLD_SECONDS: process.env.ORDER_HOLD_SECONDS };
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ticketpro-config-'));
    await writeFile(path.join(dir, '.env'), 'PORT=4000\nORDER_HOLD_SECONDS=60\n');
  });

  afterAll(async () => {
    process.chdir(cwd);
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('reads .env from the working directory, and the environment wins over it', () => {
    process.env.PORT = '5000';
    delete process.env.ORDER_HOLD_SECONDS;
    process.chdir(dir);
    const config = loadConfig();
    expect(config.ORDER_HOLD_SECONDS).toBe(60);
    expect(config.PORT).toBe(5000);
  });
});

describe('databaseUrlFor', () => {
  const shared = 'postgres://db/shared';

  it('uses DATABASE_URL for a service without its own URL', () => {
    const config = loadConfig({ DATABASE_URL: shared });
    expect(databaseUrlFor(config, 'catalog')).toBe(shared);
  });

  it("prefers the service's own URL over DATABASE_URL, for that service only", () => {
    const config = loadConfig({ DATABASE_URL: shared, ORDERING_DATABASE_URL: 'postgres://db/ordering' });
    expect(databaseUrlFor(config, 'ordering')).toBe('postgres://db/ordering');
    expect(databaseUrlFor(config, 'identity')).toBe(shared);
  });

  it('uses a service URL even without DATABASE_URL', () => {
    const config = loadConfig({ TICKETING_DATABASE_URL: 'postgres://db/ticketing' });
    expect(databaseUrlFor(config, 'ticketing')).toBe('postgres://db/ticketing');
    expect(databaseUrlFor(config, 'identity')).toBeUndefined();
  });

  it.each(SERVICE_NAMES)('reads <SERVICE>_DATABASE_URL for %s, a setting every registered service has', (service) => {
    const own = `postgres://db/${service}`;
    const config = loadConfig({ DATABASE_URL: shared, [`${service.toUpperCase()}_DATABASE_URL`]: own });
    expect(databaseUrlFor(config, service)).toBe(own);
    expect(SERVICE_NAMES.filter((other) => databaseUrlFor(config, other) === own)).toEqual([service]);
  });

  it('is undefined when no URL is set (embedded PGlite)', () => {
    expect(databaseUrlFor(loadConfig({}), 'identity')).toBeUndefined();
  });
});
