import { runService } from '@ticketpro/shared';
import { createNotificationsService } from './index';

void runService(createNotificationsService);
