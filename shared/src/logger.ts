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

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** What a request or a call logs through: pino's methods, and `child` for a narrower scope. */
export type ScopedLogger = Pick<Logger, Level | 'silent' | 'isLevelEnabled' | 'msgPrefix'> & {
  level: pino.LevelWithSilentOrString;
  child(bindings: pino.Bindings, options?: pino.ChildLoggerOptions): ScopedLogger;
};

/**
 * `parent.child(bindings)`, made the first time a line is written at a level it writes. Every
 * request and every action call gets a logger bound to its request id, and most write nothing
 * at the levels production runs at, while a pino child costs its bindings' serialization (with
 * redaction) and its level methods up front: a few percent of an action call's CPU
 * (docs/PERFORMANCE.md, issue 14 fifth pass).
 */
class LazyChildLogger implements ScopedLogger {
  private made?: Logger;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: pino.Bindings,
  ) {}

  private get logger(): Logger {
    return (this.made ??= this.parent.child(this.bindings));
  }

  private write(level: Level, args: unknown[]): void {
    if ((this.made ?? this.parent).isLevelEnabled(level)) this.logger[level](...(args as [string]));
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }

  error(...args: unknown[]): void {
    this.write('error', args);
  }

  warn(...args: unknown[]): void {
    this.write('warn', args);
  }

  info(...args: unknown[]): void {
    this.write('info', args);
  }

  debug(...args: unknown[]): void {
    this.write('debug', args);
  }

  trace(...args: unknown[]): void {
    this.write('trace', args);
  }

  silent(): void {}

  get level(): pino.LevelWithSilentOrString {
    return (this.made ?? this.parent).level;
  }

  set level(level: pino.LevelWithSilentOrString) {
    this.logger.level = level;
  }

  get msgPrefix(): string | undefined {
    return (this.made ?? this.parent).msgPrefix;
  }

  isLevelEnabled(level: pino.LevelWithSilentOrString): boolean {
    return (this.made ?? this.parent).isLevelEnabled(level);
  }

  child(bindings: pino.Bindings, options?: pino.ChildLoggerOptions): ScopedLogger {
    return this.logger.child(bindings, options);
  }
}

/** A logger bound to `bindings` under `parent`, whose pino child is made only for a line that is written. */
export function lazyChild(parent: Logger, bindings: pino.Bindings): ScopedLogger {
  return new LazyChildLogger(parent, bindings);
}
