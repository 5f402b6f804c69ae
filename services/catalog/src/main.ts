import { runNode } from '@ticketpro/shared';
import { createCatalogService } from './index';

void runNode('catalog', (deps) => ({ services: [createCatalogService(deps)] }));
