import type { ServiceBroker, ServiceSchema } from 'moleculer';
import type { Config } from './config';
import type { Logger } from './logger';
import type { Migration } from './db';
import type { NodeDeps } from './node';
import type { DefinedAction } from './action';
import type { CONTRACTS, ActionName, LocalActionName, ServiceName } from './contracts/registry';
import { closeServiceResources, healthAction, openServiceResources, type ServiceResources } from './runtime';
import { PeriodicTask } from './periodic-task';
import { subscribeToEvents, type BatchHandler, type EventHandler, type EventSubscription } from './events/consumer';
import type { EventAcceptance } from './events/catalogue';
import { pruneEventTables } from './events/retention';

/** What every started service works with; a service adds its own (models, keys…) in `prepare`. */
export interface ServiceRuntime {
  config: Config;
  logger: Logger;
  /** For calls of the service's own (a sweep); a request's calls go through its context. */
  broker: ServiceBroker;
  resources: ServiceResources;
}

/** The running instance's state, for actions; throws while the service is not started. */
export type RuntimeAccess<R extends ServiceRuntime> = () => R;

/** A durable event subscription: its name (with the service's, it names the consumer), the events and versions it reads, its handler. */
export interface FeedDeclaration {
  name: string;
  events: EventAcceptance;
  handle: EventHandler<EventAcceptance>;
  afterBatch?: BatchHandler<EventAcceptance>;
}

/**
 * Declares a feed; the handler sees exactly the events and versions `events` accepts, and
 * `afterBatch`, when given, every event one transaction handled, once, after them.
 */
export function feed<const A extends EventAcceptance>(
  name: string,
  events: A,
  handle: EventHandler<A>,
  afterBatch?: BatchHandler<A>,
): FeedDeclaration {
  return {
    name,
    events,
    handle: handle as unknown as EventHandler<EventAcceptance>,
    afterBatch: afterBatch as unknown as BatchHandler<EventAcceptance> | undefined,
  };
}

/**
 * Declares a feed whose events are applied together: `handleBatch` once per transaction with
 * every event it claimed, in order, and nothing per event, for set-based statements (one per
 * batch instead of one per event).
 */
export function batchFeed<const A extends EventAcceptance>(
  name: string,
  events: A,
  handleBatch: BatchHandler<A>,
): FeedDeclaration {
  return feed(name, events, async () => undefined, handleBatch);
}

/** Work a service does on a timer, on every instance (one run at a time; see PeriodicTask). */
export interface TaskDeclaration {
  name: string;
  everyMs: number;
  run(): Promise<void>;
}

type TableName<S extends ServiceName> = Exclude<LocalActionName<S>, 'health'>;

/** Every action of the service's contract but `health` (the kit's), each implementing that very action. */
export type ActionTable<S extends ServiceName> = {
  [K in TableName<S>]: DefinedAction<Extract<`${S}.${K}`, ActionName>>;
};

/** Compiles only when the table has no action its contract lacks. */
type NothingBeyond<S extends ServiceName, T> = [Exclude<keyof T, TableName<S>>] extends [never]
  ? unknown
  : { actions: `not in the ${S} contract: ${Exclude<keyof T, TableName<S>> & string}` };

type Contract = (typeof CONTRACTS)[ServiceName];

export interface ServiceDefinition<
  C extends Contract,
  R extends object,
  O extends object,
  T extends ActionTable<C['service']>,
> {
  contract: C;
  migrations: Migration[];
  /**
   * What the service works with beyond the kit's runtime, built once its database is open and
   * migrated (models, keys, a payment provider…); a failure fails the start.
   */
  prepare?(base: ServiceRuntime, options: O): Promise<R> | R;
  actions(access: RuntimeAccess<ServiceRuntime & R>): T;
  feeds?(runtime: ServiceRuntime & R): FeedDeclaration[];
  tasks?(runtime: ServiceRuntime & R, options: O): TaskDeclaration[];
  /** Closes what `prepare` opened, after feeds and tasks stop and before the database closes. */
  close?(runtime: ServiceRuntime & R): Promise<void>;
}

/** Options every service takes, mostly for tests. */
export interface KitOptions<R> {
  /** Hands the started runtime out (tests that drive a sweep or rotate keys). */
  onStarted?: (runtime: R) => void;
  /** How often old outbox and processed-event rows are deleted (default hourly). */
  eventRetentionIntervalMs?: number;
}

/** A declared service: makes an instance for a node, and says which registered service it is. */
export type ServiceFactory<R, O extends object, S extends ServiceName = ServiceName> = ((
  deps: NodeDeps,
  options?: O & KitOptions<R>,
) => ServiceSchema) & { readonly service: S };

/** What a node needs of a declared service, whatever its runtime and options. */
export type DeclaredService<S extends ServiceName = ServiceName> = ((deps: NodeDeps) => ServiceSchema) & {
  readonly service: S;
};

/**
 * Every registered service's declaration, each under its own name: the embedded process's map.
 * A service in `CONTRACTS` without its declaration here, or a declaration under another
 * service's name, fails the type check.
 */
export type ServiceDeclarations = { readonly [S in ServiceName]: DeclaredService<S> };

const HOUR_MS = 3_600_000;

/** The kit's own task: published outbox rows and handled-event ids older than `OUTBOX_RETENTION_HOURS` go. */
function retentionTask(
  { config, logger, resources }: ServiceRuntime,
  consumesEvents: boolean,
  everyMs = HOUR_MS,
): TaskDeclaration {
  return {
    name: 'event retention',
    everyMs,
    run: async () => {
      const before = new Date(Date.now() - config.OUTBOX_RETENTION_HOURS * HOUR_MS);
      const deleted = await pruneEventTables(resources.db, before, { processedEvents: consumesEvents });
      if (deleted.outbox + deleted.processedEvents > 0) logger.info({ deleted, before }, 'old event rows deleted');
    },
  };
}

/**
 * One service in one declaration: its contract, migrations, actions, event feeds, periodic
 * tasks and what it opens. The kit gives it its lifecycle: at start the database is opened and
 * migrated, the outbox relay started, `prepare` run, the feeds subscribed and the tasks started
 * (a failure anywhere undoes what was done); at stop the feeds and tasks stop (each finishing
 * what it is at), `close` runs, and the outbox is flushed before its database closes. It adds
 * `health`, and the retention task.
 */
export function defineService<
  C extends Contract,
  T extends ActionTable<C['service']>,
  R extends object = {},
  O extends object = {},
>(
  definition: ServiceDefinition<C, R, O, T> & NothingBeyond<C['service'], T>,
): ServiceFactory<ServiceRuntime & R, O, C['service']> {
  const service: C['service'] = definition.contract.service;
  const factory = ({ config, logger }: NodeDeps, options = {} as O & KitOptions<ServiceRuntime & R>): ServiceSchema => {
    type Runtime = ServiceRuntime & R;
    let running: { runtime: Runtime; feeds: EventSubscription[]; tasks: PeriodicTask[] } | undefined;
    const access = (): Runtime => {
      if (!running) throw new Error(`The ${service} service is not started`);
      return running.runtime;
    };

    const stopAll = async (feeds: EventSubscription[], tasks: PeriodicTask[]) => {
      for (const subscription of feeds) await subscription.stop();
      for (const task of tasks) await task.stop();
    };

    return {
      name: service,
      actions: {
        ...(definition.actions(access) as Record<string, object>),
        health: healthAction(() => running?.runtime.resources.db),
      },

      async started() {
        const resources = await openServiceResources(config, service, definition.migrations, logger);
        const feeds: EventSubscription[] = [];
        const tasks: PeriodicTask[] = [];
        let runtime: Runtime | undefined;
        try {
          const base: ServiceRuntime = { config, logger, broker: this.broker, resources };
          runtime = { ...base, ...((await definition.prepare?.(base, options)) as R) };
          const declared = definition.feeds?.(runtime) ?? [];
          for (const { name, events, handle, afterBatch } of declared) {
            feeds.push(
              await subscribeToEvents({ config, service, name, events, db: resources.db, logger, handle, afterBatch }),
            );
          }
          const retention = retentionTask(runtime, declared.length > 0, options.eventRetentionIntervalMs);
          for (const { name, everyMs, run } of [...(definition.tasks?.(runtime, options) ?? []), retention]) {
            const task = new PeriodicTask(name, run, everyMs, logger);
            task.start();
            tasks.push(task);
          }
        } catch (err) {
          await stopAll(feeds, tasks);
          if (runtime)
            await definition.close?.(runtime).catch((e) => logger.warn({ err: e }, `${service} did not close cleanly`));
          await closeServiceResources(resources, logger);
          throw err;
        }
        running = { runtime, feeds, tasks };
        options.onStarted?.(runtime);
      },

      async stopped() {
        const stopping = running;
        running = undefined;
        if (!stopping) return;
        await stopAll(stopping.feeds, stopping.tasks);
        await definition
          .close?.(stopping.runtime)
          .catch((err) => logger.warn({ err }, `${service} did not close cleanly`));
        await closeServiceResources(stopping.runtime.resources, logger);
      },
    };
  };
  return Object.assign(factory, { service });
}
