import { runService } from '@ticketpro/shared';
import { createTicketingService } from './index';

void runService(createTicketingService);
