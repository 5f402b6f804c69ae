import type { ServiceResources } from '@ticketpro/shared';
import type { TicketingModels } from './models';
import type { TicketKeyring } from './codes/keyring';

/** What a started ticketing instance works with; actions reach it through `TicketingAccess`. */
export interface TicketingRuntime {
  resources: ServiceResources;
  models: TicketingModels;
  keyring: TicketKeyring;
}

/** The running instance's state; throws while the service is not started. */
export type TicketingAccess = () => TicketingRuntime;
