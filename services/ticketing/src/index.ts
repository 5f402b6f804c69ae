import type { ServiceSchema } from 'moleculer';
import type { NodeDeps } from '@ticketpro/shared';

/** The ticketing service. Not built yet: it joins the cluster and answers health checks. */
export function createTicketingService(_deps: NodeDeps): ServiceSchema {
  return {
    name: 'ticketing',
    actions: {
      health: { handler: () => ({ status: 'ok' as const }) },
    },
  };
}
