import { runNode } from '@ticketpro/shared';
import { createNotificationsService } from './index';

void runNode('notifications', (deps) => ({ services: [createNotificationsService(deps)] }));
