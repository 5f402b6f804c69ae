import { connect } from 'nats';
import {
  createBroker,
  createLogger,
  JetStreamPublisher,
  localDomainEvents,
  outboxEntry,
  type EventData,
  type AnyEventEnvelope,
  type ServiceBroker,
} from '@ticketpro/shared';
import {
  assertNatsReachable,
  eventually,
  testNatsUrl,
  timersLeftBy,
  uniqueName,
  expectProblem,
} from '@ticketpro/shared/testing';
import { CatalogStandIn } from '../support/catalog';
import { IdentityStandIn, startGateway, type Gateway } from '../support/gateway';

const SESSION = '0b6c0f9e-8a3e-4a57-9b7e-3c2f1d0e9a11';
const OTHER_SESSION = '5d1f7a2c-1b3e-4c6d-8e9f-0a1b2c3d4e5f';

const updated = (id: number, tokenVersion: number, role: 'user' | 'organizer' = 'user', active = true) =>
  outboxEntry('identity.user.updated', {
    id,
    firstname: 'Ada',
    surname: 'Lovelace',
    email: 'ada@example.test',
    role,
    active,
    token_version: tokenVersion,
  }).envelope;
const deleted = (id: number) => outboxEntry('identity.user.deleted', { id }).envelope;
const sessionRevoked = (data: EventData<'identity.session.revoked'>) =>
  outboxEntry('identity.session.revoked', data).envelope;

/** Tells this process's gateways, as identity's outbox relay does in embedded mode. */
const tellLocally = (envelope: AnyEventEnvelope) => localDomainEvents.publish(envelope);

describe('gateway: revoked access tokens, in one process (embedded mode)', () => {
  const identity = new IdentityStandIn();
  const catalog = new CatalogStandIn();
  const [key] = identity.signingKeys;
  let gw: Gateway;

  beforeAll(async () => {
    // What identity answers a starting gateway: the revocations made before it started.
    identity.revocations = {
      users: [
        { id: 70, token_version: 2, deleted: false },
        { id: 71, token_version: 1, deleted: true },
      ],
      sessions: [{ user_id: 72, session_id: SESSION }],
    };
    gw = await startGateway([identity.schema(), catalog.schema()]);
  });
  afterAll(() => gw.close());

  const me = (claims: Record<string, unknown>) => gw.api('GET', '/api/v1/auth/me', { token: key.sign(claims) });
  const expectRevoked = (res: Awaited<ReturnType<typeof me>>) => {
    expectProblem(res, 401);
    expect(res.body.detail).toBe('Token has been revoked');
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="Token has been revoked"',
    );
  };

  it('asks identity once, at start, for the revocations made before', () => {
    expect(identity.callsOf('identity.tokens.revocations')).toHaveLength(1);
  });

  it('refuses tokens below the version identity set before the gateway started, and takes the current one', async () => {
    expectRevoked(await me({ sub: '70', ver: 1 }));
    expectRevoked(await me({ sub: '70' }));
    expect((await me({ sub: '70', ver: 2 })).status).toBe(200);
  });

  it('refuses every token of an account deleted before it started', async () => {
    expectRevoked(await me({ sub: '71', ver: 0 }));
    expectRevoked(await me({ sub: '71', ver: 99 }));
  });

  it('refuses the tokens of a sign-in ended before it started, not those of another sign-in', async () => {
    expectRevoked(await me({ sub: '72', sid: SESSION }));
    expect((await me({ sub: '72', sid: OTHER_SESSION })).status).toBe(200);
  });

  it('refuses a token as soon as identity tells of a deactivation or a role change, with no call to identity', async () => {
    const calls = identity.calls.length;
    const before = { sub: '80', role: 'organizer', ver: 0 };
    expect((await me(before)).status).toBe(200);
    await tellLocally(updated(80, 1, 'user'));
    expectRevoked(await me(before));
    // The pair a refresh gives afterwards carries the new version.
    expect((await me({ sub: '80', role: 'user', ver: 1 })).status).toBe(200);
    expect(identity.calls.slice(calls).map((c) => c.action)).toEqual(['identity.me', 'identity.me']);
  });

  it('tells apart a token signed in the same second before the revocation from one signed after it', async () => {
    const iat = Math.floor(Date.now() / 1000);
    const signedBefore = key.sign({ sub: '81', iat, ver: 3 });
    await tellLocally(updated(81, 4));
    const signedAfter = key.sign({ sub: '81', iat, ver: 4 });
    expectRevoked(await gw.api('GET', '/api/v1/auth/me', { token: signedBefore }));
    expect((await gw.api('GET', '/api/v1/auth/me', { token: signedAfter })).status).toBe(200);
  });

  it('never lowers a mark for an event that arrives late', async () => {
    await tellLocally(updated(82, 5));
    await tellLocally(updated(82, 4));
    expectRevoked(await me({ sub: '82', ver: 4 }));
  });

  it('refuses every token of a deleted account, and those of an ended sign-in', async () => {
    await tellLocally(deleted(83));
    expectRevoked(await me({ sub: '83', ver: 7 }));
    await tellLocally(sessionRevoked({ user_id: 84, session_id: OTHER_SESSION }));
    expectRevoked(await me({ sub: '84', sid: OTHER_SESSION }));
    expect((await me({ sub: '84', sid: SESSION.replace('0b6c', '1b6c') })).status).toBe(200);
  });

  it('ignores a profile change that revokes nothing', async () => {
    await tellLocally(updated(85, 0));
    expect((await me({ sub: '85', ver: 0 })).status).toBe(200);
  });

  it('answers a public read for a revoked token anonymously', async () => {
    await tellLocally(deleted(86));
    const res = await gw.api('GET', '/api/v1/events', { token: key.sign({ sub: '86', role: 'organizer' }) });
    expect(res.status).toBe(200);
    expect(catalog.lastCall('catalog.events.list').meta.user).toBeUndefined();
  });
});

describe('gateway: revocations it cannot learn (fail closed)', () => {
  it('answers 503 to tokens until identity gives the earlier revocations, then takes them', async () => {
    const identity = new IdentityStandIn();
    const catalog = new CatalogStandIn();
    identity.revocationsFailure = new Error('identity database unreachable');
    const gw = await startGateway([identity.schema(), catalog.schema()]);
    try {
      const token = identity.signingKeys[0].sign({ sub: '90' });
      // The keys are fetched, but the revocations are not known: no token is taken.
      const refused = await gw.api('GET', '/api/v1/auth/me', { token });
      expectProblem(refused, 503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(refused.body.detail).toMatch(/whether the token was revoked/);
      // Public reads go on, anonymously.
      expect((await gw.api('GET', '/api/v1/events', { token })).status).toBe(200);
      expect(catalog.lastCall('catalog.events.list').meta.user).toBeUndefined();

      expect(identity.callsOf('identity.me')).toHaveLength(0);

      // Retried every second.
      identity.revocationsFailure = undefined;
      const deadline = Date.now() + 10_000;
      let status = refused.status;
      while (status !== 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        status = (await gw.api('GET', '/api/v1/auth/me', { token })).status;
      }
      expect(status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});

describe('gateway: closed before identity appears', () => {
  it('leaves no timer keeping its process alive (it waited for identity on one)', async () => {
    const left = await timersLeftBy(async () => {
      const gw = await startGateway([]);
      await gw.close();
    });
    expect(left).toBe(0);
  });
});

describe('gateway: revoked access tokens over NATS (several gateways)', () => {
  const identity = new IdentityStandIn();
  const [key] = identity.signingKeys;
  const id = uniqueName('gateway_revocations');
  const settings = { NATS_URL: testNatsUrl(), NAMESPACE: id, EVENT_SUBJECT_PREFIX: id, EVENT_STREAM: id.toUpperCase() };
  let identityBroker: ServiceBroker;
  let publisher: JetStreamPublisher;
  const gateways: Gateway[] = [];

  beforeAll(async () => {
    await assertNatsReachable();
    publisher = await JetStreamPublisher.connect({
      url: settings.NATS_URL,
      stream: settings.EVENT_STREAM,
      subjectPrefix: settings.EVENT_SUBJECT_PREFIX,
      connectionName: 'revocations-test',
    });
    gateways.push(await startGateway([], settings), await startGateway([], settings));
    identityBroker = createBroker({
      config: gateways[0].config,
      role: 'identity-standin',
      logger: createLogger('identity', 'silent'),
    });
    identityBroker.createService(identity.schema());
    await identityBroker.start();
    for (const gw of gateways) await gw.broker.waitForServices(['identity'], 10_000);
  });
  afterAll(async () => {
    await identityBroker?.stop();
    await Promise.all(gateways.map((gw) => gw.close()));
    await publisher?.close();
    const nc = await connect({ servers: settings.NATS_URL });
    await (await nc.jetstreamManager()).streams.delete(settings.EVENT_STREAM).catch(() => undefined);
    await nc.close();
  });

  const meOn = (gw: Gateway, claims: Record<string, unknown>) =>
    gw.api('GET', '/api/v1/auth/me', { token: key.sign(claims) });

  /** Polls until `gw` answers `status`, and says how long that took. */
  async function untilStatus(gw: Gateway, claims: Record<string, unknown>, status: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      if ((await meOn(gw, claims)).status === status) return Date.now() - started;
      if (Date.now() - started > 10_000) throw new Error(`no ${status} within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('has every gateway refuse a token within a second of identity telling the revocation, without asking identity', async () => {
    const token = { sub: '100', role: 'organizer', ver: 0 };
    for (const gw of gateways) expect((await meOn(gw, token)).status).toBe(200);
    await publisher.publish(updated(100, 1, 'user'));
    for (const gw of gateways) expect(await untilStatus(gw, token, 401)).toBeLessThan(1000);
    expect(identity.callsOf('identity.tokens.revocations')).toHaveLength(0);
  });

  it('has a gateway that starts later refuse what was revoked before it started', async () => {
    await publisher.publish(deleted(101));
    await publisher.publish(sessionRevoked({ user_id: 102, session_id: SESSION }));
    await untilStatus(gateways[0], { sub: '101' }, 401);
    const late = await startGateway([], settings);
    gateways.push(late);
    await late.broker.waitForServices(['identity'], 10_000);
    // Its start waits up to 10 s for the replay, then goes on refusing tokens (503) until the
    // replay is in: on a loaded CI machine it was not yet. The replay must still arrive.
    await eventually(() => Promise.resolve(late.app.tokenRevocations.current), 30_000);
    expect((await meOn(late, { sub: '101' })).status).toBe(401);
    expect((await meOn(late, { sub: '102', sid: SESSION })).status).toBe(401);
    expect((await meOn(late, { sub: '100', ver: 0 })).status).toBe(401);
    expect((await meOn(late, { sub: '102', sid: OTHER_SESSION })).status).toBe(200);
  });
});
