import { runService } from '@ticketpro/shared';
import { createReportingService } from './index';

void runService(createReportingService);
