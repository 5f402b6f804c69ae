import type { Config, ServiceResources } from '@ticketpro/shared';
import type { CatalogModels } from './models';

/** What a started catalog instance works with; actions reach it through `CatalogAccess`. */
export interface CatalogRuntime {
  config: Config;
  resources: ServiceResources;
  models: CatalogModels;
}

/** The running instance's state; throws while the service is not started. */
export type CatalogAccess = () => CatalogRuntime;
