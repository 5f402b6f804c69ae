import os from 'node:os';
import { Errors, type Context, type ServiceBroker } from 'moleculer';
import { Type } from '@sinclair/typebox';
import { AjvValidator, ConflictError, createBroker, createLogger, type RequestContext } from '@ticketpro/shared';
import { assertNatsReachable, testConfig, testNatsUrl, timersLeftBy, uniqueName } from '@ticketpro/shared/testing';

interface LogLine {
  level: number;
  msg: string;
  service: string;
  requestId?: string;
  action?: string;
  code?: number;
  ms?: number;
  err?: { message: string };
}

const INFO = 30;
const ERROR = 50;

describe('createBroker', () => {
  const lines: LogLine[] = [];
  const logger = createLogger('test', 'debug', { write: (line: string) => lines.push(JSON.parse(line)) });
  let broker: ServiceBroker;
  const calls = { flaky: 0, conflict: 0, timeout: 0 };

  const AddParams = Type.Object(
    { a: Type.Integer(), b: Type.Integer({ minimum: 0 }), note: Type.Optional(Type.String({ maxLength: 3 })) },
    { additionalProperties: false },
  );

  beforeAll(async () => {
    broker = createBroker({ config: testConfig({ NAMESPACE: uniqueName('broker') }), role: 'test', logger });
    broker.createService({
      name: 'calc',
      actions: {
        add: {
          params: AddParams,
          handler(ctx: Context<{ a: number; b: number }>) {
            return ctx.params.a + ctx.params.b;
          },
        },
        whoami(ctx: RequestContext) {
          ctx.locals.logger.info('inside the handler');
          return ctx.call('calc.echo');
        },
        echo(ctx: RequestContext) {
          ctx.locals.logger.info('inside the nested call');
          return 'echo';
        },
        conflict() {
          calls.conflict += 1;
          throw new ConflictError('already checked in');
        },
        crash() {
          throw new Error('disk on fire');
        },
        flaky() {
          calls.flaky += 1;
          if (calls.flaky < 3)
            throw new Errors.ServiceNotAvailableError({ action: 'calc.flaky', nodeID: broker.nodeID });
          return 'third time lucky';
        },
        timeout() {
          calls.timeout += 1;
          throw new Errors.RequestTimeoutError({ action: 'calc.timeout', nodeID: broker.nodeID });
        },
      },
    });
    await broker.start();
  });

  afterAll(async () => {
    await broker?.stop();
  });

  beforeEach(() => {
    lines.length = 0;
    Object.assign(calls, { flaky: 0, conflict: 0, timeout: 0 });
  });

  describe('AjvValidator', () => {
    it('lets valid params through to the handler', async () => {
      expect(await broker.call('calc.add', { a: 2, b: 3 })).toBe(5);
    });

    it('rejects bad params with a ValidationError listing field and message', async () => {
      const error = await broker.call('calc.add', { a: '2', b: -1, c: 1 }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(Errors.ValidationError);
      expect(error).toMatchObject({ code: 422, type: 'VALIDATION_ERROR' });
      const data = (error as Errors.ValidationError).data as { field: string; message: string }[];
      expect(data.map(({ field, message }) => ({ field, message }))).toEqual([
        { field: 'c', message: 'is not allowed' },
        { field: 'a', message: 'must be integer' },
        { field: 'b', message: 'must be >= 0' },
      ]);
    });

    it('refuses a NUL or an unpaired surrogate in any string param, naming the field', async () => {
      for (const [note, message] of [
        ['a\u0000', 'must not contain NUL (U+0000) characters'],
        ['\ud83d', 'must not contain unpaired UTF-16 surrogates'],
      ]) {
        const error = await broker.call('calc.add', { a: 1, b: 1, note }).catch((err: unknown) => err);
        expect(error).toBeInstanceOf(Errors.ValidationError);
        const data = (error as Errors.ValidationError).data as { field: string; message: string }[];
        expect(data.map(({ field, message }) => ({ field, message }))).toEqual([{ field: 'note', message }]);
      }
      expect(await broker.call('calc.add', { a: 1, b: 1, note: '\ud83c\udfab' })).toBe(2);
    });

    it('validates on demand too', () => {
      const validator = new AjvValidator();
      expect(validator.validate({ a: 1, b: 1 }, AddParams)).toBe(true);
      expect(() => validator.validate({ a: 1 }, AddParams)).toThrow(Errors.ValidationError);
    });
  });

  describe('requestLogging', () => {
    it("gives the handler a logger carrying the call's request id and action", async () => {
      await broker.call('calc.whoami', {}, { requestID: 'req-opts' });
      expect(lines.find((l) => l.msg === 'inside the handler')).toMatchObject({
        level: INFO,
        service: 'test',
        requestId: 'req-opts',
        action: 'calc.whoami',
      });
    });

    it('takes the request id the gateway puts in meta', async () => {
      await broker.call('calc.whoami', {}, { meta: { requestId: 'req-meta' } });
      expect(lines.find((l) => l.msg === 'inside the handler')).toMatchObject({ requestId: 'req-meta' });
    });

    it('keeps the request id in nested calls', async () => {
      await broker.call('calc.whoami', {}, { meta: { requestId: 'req-nested' } });
      expect(lines.find((l) => l.msg === 'inside the nested call')).toMatchObject({
        requestId: 'req-nested',
        action: 'calc.echo',
      });
    });

    it('logs a client error at info with its status', async () => {
      await broker.call('calc.conflict', {}, { requestID: 'req-409' }).catch(() => undefined);
      expect(lines.find((l) => l.requestId === 'req-409' && l.msg === 'already checked in')).toMatchObject({
        level: INFO,
        code: 409,
      });
    });

    it('logs a failure at error with the error itself', async () => {
      await broker.call('calc.crash', {}, { requestID: 'req-500' }).catch(() => undefined);
      const line = lines.find((l) => l.requestId === 'req-500' && l.msg === 'disk on fire');
      expect(line).toMatchObject({ level: ERROR, code: 500, err: { message: 'disk on fire' } });
    });
  });

  describe('retry policy', () => {
    it('retries an error that means the call was never delivered', async () => {
      expect(await broker.call('calc.flaky')).toBe('third time lucky');
      expect(calls.flaky).toBe(3);
    });

    it('does not retry a problem the handler answered', async () => {
      await expect(broker.call('calc.conflict')).rejects.toMatchObject({ code: 409 });
      expect(calls.conflict).toBe(1);
    });

    it('does not retry a timeout, which may still be running', async () => {
      await expect(broker.call('calc.timeout')).rejects.toBeInstanceOf(Errors.RequestTimeoutError);
      expect(calls.timeout).toBe(1);
    });
  });

  it('measures no host CPU for its heartbeats: no strategy reads it, and it cost an idle process about 1 ms a second', async () => {
    const cpus = jest.spyOn(os, 'cpus');
    try {
      await expect(broker.getCpuUsage()).resolves.toEqual({ avg: 0, usages: [] });
      expect(cpus).not.toHaveBeenCalled();
    } finally {
      cpus.mockRestore();
    }
  });

  it('over NATS, leaves no timer keeping the process alive once stopped, though its services changed just before', async () => {
    await assertNatsReachable();
    const left = await timersLeftBy(async () => {
      const overNats = createBroker({
        config: testConfig({ NATS_URL: testNatsUrl(), NAMESPACE: uniqueName('broker') }),
        role: 'test',
        logger: createLogger('test', 'silent'),
      });
      overNats.createService({ name: 'changing', actions: { ping: () => 'pong' } });
      await overNats.start();
      // A service gone arms Moleculer's one-second notice to the other nodes.
      await overNats.destroyService(overNats.getLocalService('changing'));
      await overNats.stop();
    });
    expect(left).toBe(0);
  });
});
