import { runService } from '@ticketpro/shared';
import { createCatalogService } from './index';

void runService(createCatalogService);
