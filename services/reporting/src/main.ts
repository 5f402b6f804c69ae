import { runNode } from '@ticketpro/shared';
import { createReportingService } from './index';

void runNode('reporting', (deps) => ({ services: [createReportingService(deps)] }));
