import { runService } from '@ticketpro/shared';
import { createOrderingService } from './index';

void runService(createOrderingService);
