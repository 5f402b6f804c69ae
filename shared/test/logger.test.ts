import { createLogger, lazyChild } from '../src/logger';

/** A logger at `level` whose lines land in `lines`, parsed. */
function capturing(level: string) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('test', level, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('lazyChild', () => {
  it('writes its lines with its bindings, as a pino child does', () => {
    const { logger, lines } = capturing('info');
    lazyChild(logger, { requestId: 'req-1' }).info({ orderId: 7 }, 'order placed');
    expect(lines).toEqual([
      expect.objectContaining({ service: 'test', requestId: 'req-1', orderId: 7, msg: 'order placed' }),
    ]);
  });

  it('makes the pino child only for a line its level keeps, and once', () => {
    const { logger, lines } = capturing('warn');
    const child = jest.spyOn(logger, 'child');
    const scoped = lazyChild(logger, { requestId: 'req-2' });
    scoped.info('dropped');
    scoped.debug('dropped too');
    expect(child).not.toHaveBeenCalled();
    scoped.warn('kept');
    scoped.error('kept too');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines.map((l) => [l.msg, l.requestId])).toEqual([
      ['kept', 'req-2'],
      ['kept too', 'req-2'],
    ]);
  });

  it('follows a level set on it, not its parent', () => {
    const { logger, lines } = capturing('warn');
    const scoped = lazyChild(logger, { requestId: 'req-3' });
    expect(scoped.level).toBe('warn');
    scoped.level = 'debug';
    scoped.debug('now kept');
    logger.debug('still dropped');
    expect(scoped.isLevelEnabled('debug')).toBe(true);
    expect(lines.map((l) => l.msg)).toEqual(['now kept']);
  });

  it('gives children carrying its bindings and theirs', () => {
    const { logger, lines } = capturing('info');
    lazyChild(logger, { requestId: 'req-4' }).child({ step: 'hold' }).info('held');
    expect(lines).toEqual([expect.objectContaining({ requestId: 'req-4', step: 'hold', msg: 'held' })]);
  });
});
