import type { Keyring, RuntimeAccess, ServiceRuntime } from '@ticketpro/shared';
import type { TicketingModels } from './models';

/** What a started ticketing instance works with; actions reach it through `TicketingAccess`. */
export type TicketingRuntime = ServiceRuntime & {
  models: TicketingModels;
  /** The keys ticket codes are signed with (codes/keyring.ts). */
  keyring: Keyring;
};

export type TicketingAccess = RuntimeAccess<TicketingRuntime>;
