import type { ServiceDeclarations } from '@ticketpro/shared';
import { createIdentityService } from '@ticketpro/identity';
import { createCatalogService } from '@ticketpro/catalog';
import { createOrderingService } from '@ticketpro/ordering';
import { createTicketingService } from '@ticketpro/ticketing';
import { createNotificationsService } from '@ticketpro/notifications';
import { createReportingService } from '@ticketpro/reporting';

/**
 * What the embedded process runs besides the gateway: every registered service's declaration,
 * from its package entry. Typed against the contract registry, so a service registered in
 * `CONTRACTS` but missing here, or filed under another's name, fails `npm run typecheck`.
 */
export const EMBEDDED_SERVICES: ServiceDeclarations = {
  identity: createIdentityService,
  catalog: createCatalogService,
  ordering: createOrderingService,
  ticketing: createTicketingService,
  notifications: createNotificationsService,
  reporting: createReportingService,
};
