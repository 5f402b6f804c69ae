import { runService } from '@ticketpro/shared';
import { createIdentityService } from './index';

void runService(createIdentityService);
