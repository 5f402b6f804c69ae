import { runNode } from '@ticketpro/shared';
import { listen } from './listen';

void runNode('gateway', (deps) => ({ services: [], attach: (node) => listen({ ...deps, ...node }) }));
