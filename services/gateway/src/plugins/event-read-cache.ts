import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { Counter, Gauge } from 'prom-client';
import {
  followBroadcast,
  type AcceptedEnvelope,
  type ActionName,
  type BroadcastSubscription,
  type Config,
  type Logger,
  type ParamsOf,
  type ResultOf,
} from '@ticketpro/shared';
import { EventReads, eventRead, noneMatchHits, type EventReadSource } from '../read-cache/event-reads';
import { outcomeOf } from './service-calls';

declare module 'fastify' {
  interface FastifyInstance {
    /** The public event reads this gateway keeps; null when `EVENT_READ_CACHE_MS` is 0. */
    eventReads: EventReads | null;
  }
}

/** Which events' views a call may have changed: one event, or any (the call does not say which). */
type Touched = number | 'all';
type ViewChange<A extends ActionName> = (params: ParamsOf<A>, result: ResultOf<A> | undefined) => Touched;

/**
 * Every write this gateway forwards that can change what `GET /events/{id}` shows: the event's
 * fields, its listed ticket types, and their `available_quantity` and `sold_quantity` (holds,
 * sales, refunds, tickets added or removed, waiting-list offers). `result` is undefined when the
 * call failed in a way that leaves unknown whether it took effect (a timeout, a lost instance).
 * Where neither the request nor the answer names the event, every entry goes: such writes are
 * rare next to reads. Not listed, as they change nothing the view shows: promo codes, transfers,
 * check-ins, seat numbers. An organizer's new name reaches catalog's own copy by an event, after
 * identity's answer; that lag, like the TTL, bounds how long a read shows the old one.
 */
const VIEW_CHANGES: { [A in ActionName]?: ViewChange<A> } = {
  'catalog.events.update': ({ id }) => id,
  'catalog.events.delete': ({ id }) => id,
  'catalog.ticketTypes.create': ({ event_id }) => event_id,
  'catalog.ticketTypes.update': (_params, ticketType) => ticketType?.event_id ?? 'all',
  'catalog.ticketTypes.delete': () => 'all',
  'catalog.waitlist.join': () => 'all',
  'catalog.waitlist.leave': () => 'all',
  'ordering.orders.create': ({ event_id }) => event_id,
  'ordering.orders.update': (_params, order) => order?.event_id ?? 'all',
  'ordering.orders.cancel': () => 'all',
  'ordering.orders.pay': (_params, order) => order?.event_id ?? 'all',
  'ordering.orders.payCash': (_params, order) => order?.event_id ?? 'all',
  'ordering.orders.refund': (_params, order) => order?.event_id ?? 'all',
  'ordering.payments.settle': () => 'all',
  'ordering.payments.paynowResult': () => 'all',
  'ordering.payments.stripeWebhook': () => 'all',
  'ticketing.tickets.create': (_params, ticket) => ticket?.event_id ?? 'all',
  'ticketing.tickets.delete': () => 'all',
};

/**
 * Catalog's events that change an event's view, recorded after the change committed: each
 * gateway instance drops the entry on them, whichever instance forwarded the write (or none: a
 * sweep, another service). Holds and sales have no event of catalog's: through another gateway
 * they show within `EVENT_READ_CACHE_MS`.
 */
export const VIEW_CHANGING_EVENTS = {
  'catalog.event.updated': [1, 2],
  'catalog.event.deleted': [1],
  'catalog.ticket_type.created': [1],
  'catalog.ticket_type.updated': [1],
  'catalog.ticket_type.deleted': [1],
  'catalog.waitlist.offered': [1],
} as const;
type ViewChangingEvent = AcceptedEnvelope<typeof VIEW_CHANGING_EVENTS>;

const eventIdOf = ({ data }: ViewChangingEvent): number => ('event_id' in data ? data.event_id : data.id);

/**
 * Revalidate every time (the ETag makes that a 304 without a body): a client or proxy keeping the
 * answer for a while would show a buyer the availability from before their own order.
 */
const CACHE_CONTROL = 'public, no-cache';
const FOLLOW_RETRY_MS = 1000;

/**
 * Keeps each event's public read (`GET /events/{id}`) for `EVENT_READ_CACHE_MS`, at most
 * `EVENT_READ_CACHE_MAX_ENTRIES` of them. Catalog answers that read the same whoever asks (hidden
 * ticket types are left out for everyone, organizers included), so one entry serves every caller.
 * An entry goes as soon as a write this gateway forwarded can have changed it (before the write's
 * answer is sent), and when catalog's events tell of a change made through any instance.
 */
export const eventReadCachePlugin = fp<{ config: Config; logger: Logger; nodeId: string }>(
  async (app, { config, logger, nodeId }) => {
    if (config.EVENT_READ_CACHE_MS === 0) {
      app.decorate('eventReads', null);
      return;
    }
    const registry = app.metrics.exposition();
    const served = new Counter({
      name: 'gateway_event_reads_total',
      help: 'GET /events/{id} answers by where they came from: cache, catalog, or a catalog call already under way (joined)',
      labelNames: ['source'] as const,
      registers: [registry],
    });
    const bySource = Object.fromEntries(
      (['cache', 'catalog', 'joined'] as const).map((source) => [source, served.labels({ source })]),
    ) as Record<EventReadSource, Counter.Internal>;
    const dropped = new Counter({
      name: 'gateway_event_read_cache_drops_total',
      help: 'Event read cache entries dropped, by cause: a write this gateway forwarded, or a catalog event',
      labelNames: ['cause'] as const,
      registers: [registry],
    });
    const droppedBy = { write: dropped.labels({ cause: 'write' }), event: dropped.labels({ cause: 'event' }) };
    const reads = new EventReads({
      ttlMs: config.EVENT_READ_CACHE_MS,
      maxEntries: config.EVENT_READ_CACHE_MAX_ENTRIES,
      onRead: (source) => bySource[source].inc(),
    });
    new Gauge({
      name: 'gateway_event_read_cache_entries',
      help: 'Events whose public read this gateway keeps',
      registers: [registry],
      collect() {
        this.set(reads.size);
      },
    });

    app.onServiceCallSettled((action, params, settled) => {
      // Keyed by the action's name, so its params and result are that action's.
      const change = VIEW_CHANGES[action] as ((params: object, result: unknown) => Touched) | undefined;
      if (!change) return;
      // A refusal changed nothing: a sold-out flash sale's 409s keep the entry.
      if ('error' in settled && outcomeOf(settled.error) === 'client_error') return;
      const touched = change(params, 'result' in settled ? settled.result : undefined);
      if (touched === 'all') reads.invalidateAll();
      else reads.invalidate(touched);
      droppedBy.write.inc();
    });

    let feed: BroadcastSubscription | undefined;
    let closed = false;
    let retry: NodeJS.Timeout | undefined;
    const follow = async (): Promise<void> => {
      try {
        feed = await followBroadcast({
          config,
          logger,
          name: `gateway_event_reads_${nodeId}`,
          events: VIEW_CHANGING_EVENTS,
          since: new Date(),
          handle: (envelope) => {
            reads.invalidate(eventIdOf(envelope));
            droppedBy.event.inc();
          },
        });
        if (closed) await feed.stop();
      } catch (err) {
        if (closed) return;
        logger.warn({ err }, 'cannot follow catalog events yet; event reads lag changes by up to EVENT_READ_CACHE_MS');
        retry = setTimeout(() => void follow(), FOLLOW_RETRY_MS).unref();
      }
    };
    // Not awaited: the cache is correct without the feed, only staler (by the TTL at most).
    void follow();
    app.addHook('onClose', async () => {
      closed = true;
      clearTimeout(retry);
      await feed?.stop();
    });

    app.decorate('eventReads', reads);
  },
  { name: 'event-read-cache', dependencies: ['metrics', 'service-calls'] },
);

/**
 * `GET /events/{id}` from `reads`: the body as the route's response schema serializes it, with
 * its ETag; `If-None-Match` naming it is answered 304.
 */
export function cachedEventRead(reads: EventReads): RouteHandlerMethod {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const { id } = request.params as { id: number };
    // The route's own serializer for 200, so the bytes kept are those the route would send.
    const answer = await reads.read(id, async () =>
      eventRead(reply.serializeInput(await request.callService('catalog.events.get', { id }), '200') as string),
    );
    reply.header('cache-control', CACHE_CONTROL).header('etag', answer.etag);
    if (noneMatchHits(request.headers['if-none-match'], answer.etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(answer.body);
  };
}
