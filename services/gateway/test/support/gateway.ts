import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import jwt from 'jsonwebtoken';
import type { ServiceSchema } from 'moleculer';
import type { Registry } from 'prom-client';
import {
  actionMetrics,
  createLogger,
  NodeReadiness,
  type ActionOf,
  type Config,
  type ServiceBroker,
  type ServiceName,
  type Token,
  type TokenRevocations,
  type User,
} from '@ticketpro/shared';
import {
  apiClient,
  expectProblem,
  ServiceStandIn,
  standInService,
  startServiceNode,
  testConfig,
  type Api,
  type ApiResponse,
  type ConfigOverrides,
  type RequestOptions,
  type ServiceNodeOptions,
  type StandInAnswers,
} from '@ticketpro/shared/testing';
import { buildApp } from '../../src/app';

/** An ES256 key pair like identity's, published as a JWKS entry under `kid`. */
export class SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;

  constructor(readonly kid: string = randomUUID()) {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  }

  get jwk() {
    return { ...this.publicKey.export({ format: 'jwk' }), kty: 'EC', kid: this.kid, alg: 'ES256', use: 'sig' };
  }

  get publicPem(): string {
    return this.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  }

  /** An access token as identity issues it; `claims` override the defaults. */
  sign(claims: Record<string, unknown> = {}, config: Config = testConfig()): string {
    const payload = {
      sub: '42',
      role: 'user',
      iss: config.JWT_ISSUER,
      aud: config.JWT_AUDIENCE,
      exp: Math.floor(Date.now() / 1000) + 900,
      ...claims,
    };
    return jwt.sign(payload, this.privateKey, { algorithm: 'ES256', keyid: this.kid });
  }
}

export const SAMPLE_USER: User & { password_hash: string } = {
  id: 42,
  firstname: 'Ada',
  surname: 'Lovelace',
  email: 'ada@example.com',
  phone_number: '+263 77 123 4567',
  street_address: '1 Analytical Engine Road',
  active: true,
  role: 'user',
  is_verified: false,
  created_at: '2027-01-01T10:00:00.000Z',
  updated_at: '2027-01-02T10:00:00.000Z',
  // Never to reach a client: the gateway's response schema must drop it.
  password_hash: '$argon2id$v=19$secret',
};

/** A registration body that passes the gateway's validation. */
export const SAMPLE_REGISTRATION = {
  firstname: 'Ada',
  surname: 'Lovelace',
  email: 'ada@example.com',
  password: 'Correct-Horse-9',
  phone_number: '+263 77 123 4567',
  street_address: '1 Engine Road',
};

export const SAMPLE_TOKEN: Token = {
  access_token: 'a.b.c',
  refresh_token: 'r1',
  token_type: 'bearer',
  expires_in: 900,
};

/** Stands in for identity's actions; `keys` publishes the JWKS of `signingKeys`. */
export class IdentityStandIn extends ServiceStandIn<'identity'> {
  signingKeys: SigningKey[] = [new SigningKey()];
  /** What `tokens.revocations` answers a starting gateway. */
  revocations: TokenRevocations = { users: [], sessions: [] };
  /** Set to make `tokens.revocations` alone fail. */
  revocationsFailure?: Error;

  constructor() {
    super('identity');
  }

  protected answers(): StandInAnswers<'identity'> {
    return {
      keys: () => ({ keys: this.signingKeys.map((k) => k.jwk) }),
      'tokens.revocations': () => {
        if (this.revocationsFailure) throw this.revocationsFailure;
        return this.revocations;
      },
      health: () => ({ status: 'ok' }),
      register: () => SAMPLE_TOKEN,
      login: () => SAMPLE_TOKEN,
      refresh: () => SAMPLE_TOKEN,
      logout: () => null,
      me: () => SAMPLE_USER,
      'users.list': (ctx) => ({
        items: [SAMPLE_USER],
        total: 1,
        skip: ctx.params.skip,
        limit: ctx.params.limit,
        has_next: false,
        has_prev: false,
      }),
      'users.get': () => SAMPLE_USER,
      'users.update': (ctx) => ({ ...SAMPLE_USER, ...ctx.params }),
      'users.delete': () => null,
    };
  }
}

/** A service with nothing but the `health` action the gateway probes. */
export function healthOnly(name: ServiceName): ServiceSchema {
  if (name === 'identity') {
    // What a starting gateway asks identity before it takes tokens (embedded mode).
    return standInService('identity', {
      health: () => ({ status: 'ok' as const }),
      'tokens.revocations': () => ({ users: [], sessions: [] }),
    });
  }
  return standInService(name, { health: () => ({ status: 'ok' as const }) });
}

export interface Gateway {
  app: FastifyInstance;
  broker: ServiceBroker;
  readiness: NodeReadiness;
  config: Config;
  baseUrl: string;
  api: Api;
  close(): Promise<void>;
}

/**
 * The real app on a real in-process broker holding `services`, served on a loopback port.
 * (Not `app.inject`: light-my-request needs the ESM-only `cookie` 2, which jest cannot load
 * on Node 20.) With `nodeMetrics`, the broker records action metrics there and the app serves
 * them, as runNode wires it; with `realServices`, those services run on the broker too, each in
 * its schema of a fresh database.
 */
export async function startGateway<S extends ServiceName = never>(
  services: ServiceSchema[],
  overrides: ConfigOverrides = {},
  { nodeMetrics, realServices }: { nodeMetrics?: Registry; realServices?: ServiceNodeOptions<S>['services'] } = {},
): Promise<Gateway> {
  const node = await startServiceNode({
    label: 'gateway-test',
    services: realServices,
    standIns: services,
    config: overrides,
    middlewares: nodeMetrics ? [actionMetrics(nodeMetrics)] : [],
  });
  const { broker, config } = node;
  const logger = createLogger('gateway-test', config.LOG_LEVEL);
  const readiness = new NodeReadiness(broker);
  let app: FastifyInstance;
  let baseUrl: string;
  try {
    app = await buildApp({ broker, config, logger, readiness, nodeMetrics });
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (err) {
    await node.stop();
    throw err;
  }
  return {
    app,
    broker,
    readiness,
    config,
    baseUrl,
    api: apiClient(baseUrl),
    close: async () => {
      await app.close();
      await node.stop();
    },
  };
}

/**
 * The gateway a file of route tests talks to: started before the file's tests with `standIns`
 * behind it (identity's among them, whose keys sign the tests' tokens), closed after them, and
 * with no stand-in set to fail when each test begins. Its fields are read inside tests, once it
 * has started.
 */
export function gatewayForFile(...standIns: { schema(): ServiceSchema; failure?: Error }[]): Gateway {
  let started: Gateway | undefined;
  beforeAll(async () => {
    started = await startGateway(standIns.map((standIn) => standIn.schema()));
  });
  afterAll(() => started?.close());
  beforeEach(() => {
    for (const standIn of standIns) standIn.failure = undefined;
  });
  const gateway = () => {
    if (!started) throw new Error('The gateway starts in beforeAll: use it inside a test');
    return started;
  };
  return {
    get app() {
      return gateway().app;
    },
    get broker() {
      return gateway().broker;
    },
    get readiness() {
      return gateway().readiness;
    },
    get config() {
      return gateway().config;
    },
    get baseUrl() {
      return gateway().baseUrl;
    },
    api: (method, path, options) => gateway().api(method, path, options),
    close: () => gateway().close(),
  };
}

/**
 * `expectRefused(method, path, action, options, status, field?)`: the request is answered
 * `status` as problem+json (its errors naming `field`, when given), and `action` of `standIn`
 * was not called for it. Answers the response.
 */
export function refusalCheck<S extends ServiceName>(gw: Gateway, standIn: ServiceStandIn<S>) {
  return async (
    method: string,
    path: string,
    action: ActionOf<S>,
    options: RequestOptions,
    status: number,
    field?: string,
  ): Promise<ApiResponse> => {
    const before = standIn.callsOf(action).length;
    const res = await gw.api(method, path, options);
    expectProblem(res, status);
    if (field) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(standIn.callsOf(action)).toHaveLength(before);
    return res;
  };
}
