import { Errors } from 'moleculer';
import { connect } from 'nats';
import { ConflictError, UnprocessableError, createBroker, createLogger, type ServiceBroker } from '@ticketpro/shared';
import { assertNatsReachable, testNatsUrl, uniqueName, expectProblem } from '@ticketpro/shared/testing';
import { IdentityStandIn, startGateway, type Gateway } from '../support/gateway';

/**
 * The gateway and a stand-in identity on two brokers talking over real NATS: what the gateway
 * relies on (error code and type, meta, request id) must survive serialisation.
 */
describe('gateway: service calls over NATS', () => {
  const identity = new IdentityStandIn();
  const [key] = identity.signingKeys;
  let identityBroker: ServiceBroker;
  let gw: Gateway;

  beforeAll(async () => {
    await assertNatsReachable();
    const id = uniqueName('gateway_nats');
    const settings = {
      NATS_URL: testNatsUrl(),
      NAMESPACE: id,
      EVENT_SUBJECT_PREFIX: id,
      EVENT_STREAM: id.toUpperCase(),
    };
    gw = await startGateway([], settings);
    const logger = createLogger('identity-standin', 'silent');
    identityBroker = createBroker({ config: gw.config, role: 'identity-standin', logger });
    identityBroker.createService(identity.schema());
    await identityBroker.start();
    await gw.broker.waitForServices(['identity'], 10_000);
  });
  afterAll(async () => {
    await identityBroker?.stop();
    await gw?.close();
    // The gateway's revocation feed made sure the event stream exists.
    const nc = await connect({ servers: gw.config.NATS_URL });
    await (await nc.jetstreamManager()).streams.delete(gw.config.EVENT_STREAM).catch(() => undefined);
    await nc.close();
  });
  beforeEach(() => {
    identity.failure = undefined;
  });

  const me = (headers: Record<string, string> = {}) =>
    gw.api('GET', '/api/v1/auth/me', { token: key.sign({ sub: '9', role: 'admin' }), headers });

  it('verifies a token with keys fetched over NATS and delivers the request id and user', async () => {
    const res = await me({ 'x-request-id': 'over-nats-1' });
    expect(res.status).toBe(200);
    const call = identity.lastCall('identity.me');
    expect(call.requestID).toBe('over-nats-1');
    expect(call.meta).toEqual({ requestId: 'over-nats-1', ip: '127.0.0.1', user: { id: 9, role: 'admin' } });
    expect(res.body.created_at).toBe('2027-01-01T10:00:00.000Z');
  });

  it('keeps the status, detail and extensions of a ProblemError', async () => {
    identity.failure = new ConflictError('Ticket already checked in', { validated_at: '2027-03-01T18:00:00.000Z' });
    const res = await me();
    expectProblem(res, 409);
    expect(res.body).toMatchObject({ detail: 'Ticket already checked in', validated_at: '2027-03-01T18:00:00.000Z' });
  });

  it('keeps the field errors of a 422', async () => {
    identity.failure = new UnprocessableError('Password is too common', [
      { field: 'password', message: 'is too common (rule: common)' },
    ]);
    const res = await me();
    expectProblem(res, 422);
    expect(res.body.errors).toEqual([{ field: 'password', message: 'is too common (rule: common)' }]);
  });

  it('maps a remote Moleculer ValidationError to 422', async () => {
    identity.failure = new Errors.ValidationError('Parameters validation error!', 'VALIDATION_ERROR', [
      { field: 'id', message: 'must be integer' },
    ]);
    const res = await me();
    expectProblem(res, 422);
    expect(res.body.errors).toEqual([{ field: 'id', message: 'must be integer' }]);
  });

  it('answers 500 for an unexpected remote error, without its message or stack', async () => {
    identity.failure = new TypeError("Cannot read properties of undefined (reading 'password_hash')");
    const res = await me();
    expectProblem(res, 500);
    expect(JSON.stringify(res.body)).not.toMatch(/password_hash|TypeError/);
  });

  it('answers 503 once identity has left', async () => {
    await identityBroker.stop();
    const res = await gw.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'r1' } });
    expectProblem(res, 503);
    expect(res.headers.get('retry-after')).toBe('5');
  });
});
