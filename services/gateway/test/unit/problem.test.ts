import { Errors } from 'moleculer';
import { ProblemError } from '@ticketpro/shared';
import { problemFromError } from '../../src/problem';

/** What arrives after a NATS hop: Moleculer rebuilds an unknown error class as a plain Error. */
function remote(fields: { name: string; message: string; code?: unknown; type?: unknown; data?: unknown }): Error {
  return Object.assign(new Error(fields.message), fields);
}

describe('problemFromError', () => {
  it.each([
    ['ServiceNotFoundError', new Errors.ServiceNotFoundError({ action: 'identity.me' })],
    ['ServiceNotAvailableError', new Errors.ServiceNotAvailableError({ action: 'identity.me' })],
    [
      'BrokerDisconnectedError',
      remote({ name: 'BrokerDisconnectedError', message: 'The broker is disconnected', code: 502 }),
    ],
    ['RequestRejectedError', new Errors.RequestRejectedError({ action: 'identity.me', nodeID: 'n' })],
    ['RequestSkippedError', new Errors.RequestSkippedError({ action: 'identity.me', nodeID: 'n' })],
  ])('makes %s a 503 whatever its own code', (_name, error) => {
    expect(problemFromError(error)).toEqual({
      cause: 'unavailable',
      problem: { slug: 'service-unavailable', status: 503, detail: expect.any(String) },
    });
  });

  it('recognises a ProblemError by its fields alone, as after a NATS hop', () => {
    const err = remote({
      name: 'ProblemError',
      message: 'Sold out',
      code: 409,
      type: 'conflict',
      data: { available: 0 },
    });
    expect(problemFromError(err)).toEqual({
      cause: 'client',
      problem: { slug: 'conflict', status: 409, detail: 'Sold out', extensions: { available: 0 } },
    });
  });

  it('keeps only field and message of field errors, and never lets data override the problem members', () => {
    const err = new ProblemError('validation-error', 'Bad', {
      errors: [{ field: 'a', message: 'is wrong', secret: 'x' }, 'junk'] as never,
      status: 200,
      type: 'urn:evil',
    });
    expect(problemFromError(err).problem).toEqual({
      slug: 'validation-error',
      status: 422,
      detail: 'Bad',
      errors: [{ field: 'a', message: 'is wrong' }],
    });
  });

  it.each([
    ['an unknown slug', { code: 409, type: 'teapot' }],
    ['a code outside 400-599', { code: 302, type: 'conflict' }],
    ['a string code', { code: '409', type: 'conflict' }],
  ])('treats an error with %s as internal', (_what, fields) => {
    expect(problemFromError(remote({ name: 'X', message: 'leak: db at 10.0.0.5', ...fields }))).toEqual({
      cause: 'internal',
      problem: { slug: 'internal', status: 500, detail: 'An unexpected error occurred; it has been logged' },
    });
  });

  it('treats a 5xx ProblemError as the service meant it', () => {
    const err = new ProblemError('service-unavailable', 'Payments provider is down');
    expect(problemFromError(err)).toEqual({
      cause: 'unavailable',
      problem: { slug: 'service-unavailable', status: 503, detail: 'Payments provider is down' },
    });
  });

  it('keeps the status of other framework client errors, with a matching type', () => {
    const message = 'Request body size did not match Content-Length';
    const err = Object.assign(new Error(message), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' });
    expect(problemFromError(err).problem).toEqual({ slug: 'bad-request', status: 400, detail: message });
  });

  it('answers 500 for non-errors thrown', () => {
    expect(problemFromError(undefined).problem.status).toBe(500);
    expect(problemFromError('boom').problem.status).toBe(500);
  });
});
