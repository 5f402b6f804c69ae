import { runNode } from '@ticketpro/shared';
import { createIdentityService } from './index';

void runNode('identity', (deps) => ({ services: [createIdentityService(deps)] }));
