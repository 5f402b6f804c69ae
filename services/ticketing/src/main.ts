import { runNode } from '@ticketpro/shared';
import { createTicketingService } from './index';

void runNode('ticketing', (deps) => ({ services: [createTicketingService(deps)] }));
