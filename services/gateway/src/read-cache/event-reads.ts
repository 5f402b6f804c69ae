import { createHash } from 'node:crypto';
import { LruMap } from 'toad-cache';

/** One event's public read as the gateway sends it: the JSON body and the ETag of those bytes. */
export interface EventRead {
  body: string;
  etag: string;
}

/** Where a read's answer came from: memory, a catalog call of its own, or one already under way. */
export type EventReadSource = 'cache' | 'catalog' | 'joined';

export interface EventReadsOptions {
  ttlMs: number;
  maxEntries: number;
  /** Told where each read's answer came from (for the metrics). */
  onRead?: (source: EventReadSource) => void;
}

/** A strong ETag: the answer is the same bytes for every caller, on every gateway instance. */
export function eventRead(body: string): EventRead {
  return { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
}

/** Whether an `If-None-Match` header names `etag` (weak comparison, as RFC 9110 has it for GET). */
export function noneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/**
 * The public reads of events, kept for `ttlMs` (least recently read dropped beyond `maxEntries`).
 * Concurrent misses of one event share one catalog call. A write that changes an event's view
 * drops its entry (`invalidate`) and also disowns the call under way for it: that call may have
 * read the event before the write, so its answer goes to the requests that were already waiting
 * for it (they started before the write answered) but is not kept, and the next read calls
 * catalog afresh. The map of calls under way holds at most one per event being read at the moment.
 */
export class EventReads {
  private readonly answers: LruMap<EventRead>;
  private readonly underWay = new Map<number, Promise<EventRead>>();
  private readonly onRead: (source: EventReadSource) => void;

  constructor({ ttlMs, maxEntries, onRead = () => undefined }: EventReadsOptions) {
    this.answers = new LruMap<EventRead>(maxEntries, ttlMs);
    this.onRead = onRead;
  }

  /** The event's read, from memory when it is there, else from `fetch` (shared with concurrent misses). */
  read(eventId: number, fetch: () => Promise<EventRead>): EventRead | Promise<EventRead> {
    const kept = this.answers.get(eventId);
    if (kept) {
      this.onRead('cache');
      return kept;
    }
    const pending = this.underWay.get(eventId);
    if (pending) {
      this.onRead('joined');
      return pending;
    }
    this.onRead('catalog');
    const fetching: Promise<EventRead> = fetch().then(
      (answer) => {
        if (this.underWay.get(eventId) === fetching) {
          this.underWay.delete(eventId);
          this.answers.set(eventId, answer);
        }
        return answer;
      },
      (err: unknown) => {
        if (this.underWay.get(eventId) === fetching) this.underWay.delete(eventId);
        throw err;
      },
    );
    this.underWay.set(eventId, fetching);
    return fetching;
  }

  invalidate(eventId: number): void {
    this.answers.delete(eventId);
    this.underWay.delete(eventId);
  }

  invalidateAll(): void {
    this.answers.clear();
    this.underWay.clear();
  }

  get size(): number {
    return this.answers.size;
  }
}
