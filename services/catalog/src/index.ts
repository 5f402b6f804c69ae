import type { ServiceSchema } from 'moleculer';
import type { NodeDeps } from '@ticketpro/shared';

/** The catalog service. Not built yet: it joins the cluster and answers health checks. */
export function createCatalogService(_deps: NodeDeps): ServiceSchema {
  return {
    name: 'catalog',
    actions: {
      health: { handler: () => ({ status: 'ok' as const }) },
    },
  };
}
