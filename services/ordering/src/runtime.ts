import type { ServiceBroker } from 'moleculer';
import type { Config, Logger, ServiceResources } from '@ticketpro/shared';
import type { OrderingModels } from './models';
import type { PaymentProvider } from './payments/provider';

/** What a started ordering instance works with; actions reach it through `OrderingAccess`. */
export interface OrderingRuntime {
  config: Config;
  resources: ServiceResources;
  models: OrderingModels;
  provider: PaymentProvider;
  broker: ServiceBroker;
  logger: Logger;
}

/** The running instance's state; throws while the service is not started. */
export type OrderingAccess = () => OrderingRuntime;
