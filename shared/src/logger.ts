import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * JSON logs, one line each, with `service` on every line. Request-scoped children add
 * `requestId`, so one request can be followed across services with grep.
 */
export function createLogger(service: string, level: string, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'password',
        '*.password',
        'refresh_token',
        '*.refresh_token',
        'access_token',
        '*.access_token',
        'req.headers.authorization',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
