/**
 * A process that shuts down through stopOnSignals, run by stop-on-signals.test.ts: it reports
 * over IPC when it is ready and when its shutdown begins, and the shutdown takes `argv[2]` ms.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { createLogger, stopOnSignals } from '@ticketpro/shared';

const logger = createLogger('signal-target', 'info');
const shutdownMs = Number(process.argv[2]);

stopOnSignals(async () => {
  process.send?.('stopping');
  await delay(shutdownMs);
  logger.info('shutdown finished');
}, logger);

// Keeps the process alive until a signal ends it.
setInterval(() => undefined, 60_000);
process.send?.('ready');
