import type { ServiceSchema } from 'moleculer';
import type { NodeDeps } from '@ticketpro/shared';

/** The ordering service. Not built yet: it joins the cluster and answers health checks. */
export function createOrderingService(_deps: NodeDeps): ServiceSchema {
  return {
    name: 'ordering',
    actions: {
      health: { handler: () => ({ status: 'ok' as const }) },
    },
  };
}
