import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ListNotificationsQuery, NotificationSchema, Page } from '@ticketpro/shared';
import { EXAMPLE_NOTIFICATION, pageExample } from './examples';
import { serviceRoute } from './service-route';

/** `/notifications`: the state of every message sent or due, for admins. */
export const notificationRoutes: FastifyPluginAsync = async (app) => {
  app.route(
    serviceRoute({
      method: 'GET',
      url: '',
      summary: 'List messages and their state, newest first (admins): filtered by recipient, kind and status',
      description:
        'Each message is `queued` (due, or waiting for its next attempt after a failure: `attempts`, `last_error` ' +
        "and `next_attempt_at` say so), `sent` (`provider_message_id` is the mail provider's id) or `failed` " +
        '(given up after `MAIL_MAX_ATTEMPTS`, or not sent because it no longer applied). The content is not shown.',
      tags: ['notifications'],
      auth: true,
      action: 'notifications.notifications.list',
      status: 200,
      examples: { response: pageExample(EXAMPLE_NOTIFICATION) },
      querystring: ListNotificationsQuery,
      response: { ...Page(Type.Ref(NotificationSchema)), description: 'A page of messages, newest first' },
      problems: ['forbidden'],
    }),
  );
};
