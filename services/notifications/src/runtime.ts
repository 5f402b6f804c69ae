import type { RuntimeAccess, ServiceRuntime } from '@ticketpro/shared';
import type { Composer } from './messages/compose';
import type { MailProvider } from './delivery/provider';
import type { MailDispatcher } from './delivery/mail-dispatcher';

/** What a started notifications instance works with; actions reach it through `NotificationsAccess`. */
export type NotificationsRuntime = ServiceRuntime & {
  /** Turns a queued message into mail: templates, date and money formats, sender. */
  composer: Composer;
  provider: MailProvider;
  /** Sends queued mail: woken when a message is queued, polled for retries. */
  mail: MailDispatcher;
};

export type NotificationsAccess = RuntimeAccess<NotificationsRuntime>;
