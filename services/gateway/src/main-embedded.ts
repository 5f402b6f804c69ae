import './begin-embedded-databases';
import { runNode } from '@ticketpro/shared';
import { createIdentityService } from '@ticketpro/identity';
import { createCatalogService } from '@ticketpro/catalog';
import { createOrderingService } from '@ticketpro/ordering';
import { createTicketingService } from '@ticketpro/ticketing';
import { createNotificationsService } from '@ticketpro/notifications';
import { createReportingService } from '@ticketpro/reporting';
import { listen } from './listen';

/**
 * `npm start`: the gateway and all six services in one process, one broker without a
 * transporter. Without DATABASE_URL each service opens its own PGlite under DATA_DIR; the
 * broker starts the services in parallel, so their databases initialise at the same time. A
 * first start's databases are begun before anything else is loaded (begin-embedded-databases.ts).
 */
void runNode('embedded', (deps) => ({
  services: [
    createIdentityService(deps),
    createCatalogService(deps),
    createOrderingService(deps),
    createTicketingService(deps),
    createNotificationsService(deps),
    createReportingService(deps),
  ],
  attach: (node) => listen({ ...deps, ...node }),
}));
