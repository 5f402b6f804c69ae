import type { Knex } from 'knex';
import {
  batchFeed,
  databaseUrlFor,
  defineService,
  feed,
  notificationsContract,
  ORDER_EVENTS,
  USER_EVENTS,
} from '@ticketpro/shared';
import { migrations } from '../migrations';
import { applyUserEvent } from './projections/apply-user-event';
import { applyCatalogEvent, CATALOG_EVENTS } from './projections/apply-catalog-event';
import { applyOrderEvents } from './projections/apply-order-events';
import { applyTicketEvent, TICKET_EVENTS } from './projections/apply-ticket-event';
import { selectMailProvider } from './delivery/select-provider';
import { MailDispatcher } from './delivery/mail-dispatcher';
import { MessageTemplates } from './messages/templates';
import { formatting } from './messages/formatting';
import { durationMs, queueReminders } from './reminders/queue-reminders';
import { listNotificationsAction } from './actions/notifications-list';
import { resendOrderAction } from './actions/orders-resend';
import { ticketPdfAction } from './actions/tickets-pdf';

export type { NotificationsRuntime } from './runtime';

/** Whatever the sender looks like (`Name <a@b>` or `a@b`), its domain, for our Message-IDs. */
const domainOf = (from: string) => /@([^>\s]+)/.exec(from)?.[1] ?? 'ticketpro.local';

/**
 * Messages to people about their orders, tickets and events. Fed by the other services' events
 * (kept as projections: addresses, events, orders, tickets), each message queued once per
 * cause and recipient, and sent by a dispatcher every instance runs, retried with backoff.
 */
export const createNotificationsService = defineService({
  contract: notificationsContract,
  migrations,
  prepare: ({ config, logger, resources }) => {
    const composer = {
      templates: new MessageTemplates(),
      format: formatting(config.MAIL_TIME_ZONE),
      from: config.MAIL_FROM,
      messageIdDomain: domainOf(config.MAIL_FROM),
    };
    const provider = selectMailProvider(config, logger);
    const mail = new MailDispatcher({
      db: resources.db,
      composer,
      provider,
      logger,
      policy: { maxAttempts: config.MAIL_MAX_ATTEMPTS, retryAfterMs: config.MAIL_RETRY_SECONDS * 1000 },
      claimsSeveral: databaseUrlFor(config, 'notifications') !== undefined,
    });
    return { composer, provider, mail };
  },
  actions: (notifications) => ({
    'notifications.list': listNotificationsAction(notifications),
    'orders.resend': resendOrderAction(notifications),
    'tickets.pdf': ticketPdfAction(notifications),
  }),
  feeds: ({ mail }) => {
    // The feeds whose events queue messages wake the dispatcher once their transaction commits.
    const wakeMail = async (_envelopes: unknown[], trx: Knex.Transaction) => mail.wakeAfterCommit(trx);
    return [
      feed('recipients', USER_EVENTS, (envelope, trx) => applyUserEvent(trx, envelope)),
      feed('catalog', CATALOG_EVENTS, (envelope, trx) => applyCatalogEvent(trx, envelope), wakeMail),
      batchFeed('orders', ORDER_EVENTS, async (envelopes, trx) => {
        await applyOrderEvents(envelopes, trx);
        mail.wakeAfterCommit(trx);
      }),
      feed('tickets', TICKET_EVENTS, (envelope, trx) => applyTicketEvent(trx, envelope), wakeMail),
    ];
  },
  tasks: ({ config, logger, resources, mail }) => [
    // What no wake announces: retries coming due, and messages of an instance that died unsent.
    // The run wakes the dispatcher and returns: a task's stop waits for its run, and a drain lasts
    // as long as other instances keep the queue full; `close` ends it after the send in flight.
    { name: 'mail dispatch', everyMs: config.MAIL_DISPATCH_INTERVAL_MS, run: async () => void mail.drain() },
    {
      name: 'event reminders',
      everyMs: config.REMINDER_SWEEP_SECONDS * 1000,
      run: async () => {
        const queued = await queueReminders(resources.db, durationMs(config.REMINDER_BEFORE));
        if (queued === 0) return;
        logger.info({ queued }, 'event reminders queued');
        void mail.drain();
      },
    },
  ],
  close: async ({ mail, provider }) => {
    await mail.stop();
    await provider.close();
  },
});
