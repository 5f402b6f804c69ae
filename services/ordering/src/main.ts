import { runNode } from '@ticketpro/shared';
import { createOrderingService } from './index';

void runNode('ordering', (deps) => ({ services: [createOrderingService(deps)] }));
