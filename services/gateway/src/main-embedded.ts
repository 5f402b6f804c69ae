import './begin-embedded-databases';
import { runNode, SERVICE_NAMES } from '@ticketpro/shared';
import { EMBEDDED_SERVICES } from './embedded-services';
import { listen } from './listen';

/**
 * `npm start`: the gateway and every registered service in one process, one broker without a
 * transporter. Without DATABASE_URL each service opens its own PGlite under DATA_DIR; the
 * broker starts the services in parallel, so their databases initialise at the same time. A
 * first start's databases are begun before anything else is loaded (begin-embedded-databases.ts).
 */
void runNode('embedded', (deps) => ({
  services: SERVICE_NAMES.map((name) => EMBEDDED_SERVICES[name](deps)),
  attach: (node) => listen({ ...deps, ...node }),
}));
