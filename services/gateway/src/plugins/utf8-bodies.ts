import { isUtf8 } from 'node:buffer';
import fp from 'fastify-plugin';
import { UnprocessableError } from '@ticketpro/shared';

const NOT_UTF8 = 'must be UTF-8: an unpaired surrogate or a byte that is no character';

/**
 * JSON bodies are UTF-8 (RFC 8259 §8.1). Decoding bytes that are not — an unpaired surrogate
 * written out as its three bytes (`ED A0 80`), a stray `FF` — turns each into U+FFFD without a
 * word, so the text would be stored changed; such a body is answered 422 instead, as an unpaired
 * surrogate written as a JSON escape (`\ud800`) is. Any other body goes to fastify's own JSON
 * parser, with its prototype-poisoning checks (the options fastify's defaults use).
 */
export const utf8BodiesPlugin = fp(
  async (app) => {
    const parseJson = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
      if (!isUtf8(body)) {
        done(new UnprocessableError(`Invalid request body: ${NOT_UTF8}`, [{ field: '(body)', message: NOT_UTF8 }]));
        return;
      }
      // fastify's own parser answers through `done`; its return value carries nothing.
      void parseJson(request, body.toString('utf8'), done);
    });
  },
  { name: 'utf8-bodies' },
);
