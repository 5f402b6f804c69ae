import { AsyncResource, createHook } from 'node:async_hooks';

/**
 * Runs `run` and resolves to how many of the timers it made (itself, or anything it started:
 * sockets, promises, other timers) are still pending and keep the process alive (not unref'd):
 * what, left by a test's teardown, holds its jest worker after the file ends ("A worker process
 * has failed to exit gracefully"). Timers of anything else in the process (jest's own) are not
 * counted.
 */
export async function timersLeftBy(run: () => Promise<void>): Promise<number> {
  const scope = new AsyncResource('timersLeftBy');
  const madeByRun = new Set([scope.asyncId()]);
  const timers = new Map<number, { hasRef(): boolean }>();
  const hook = createHook({
    init(id, type, trigger, resource) {
      if (!madeByRun.has(trigger)) return;
      madeByRun.add(id);
      if (type === 'Timeout') timers.set(id, resource as { hasRef(): boolean });
    },
    destroy(id) {
      timers.delete(id);
    },
  }).enable();
  try {
    await scope.runInAsyncScope(run);
    // A cleared timer's destroy hook runs after the current operation.
    await new Promise(setImmediate);
  } finally {
    hook.disable();
    scope.emitDestroy();
  }
  return [...timers.values()].filter((timer) => timer.hasRef()).length;
}
