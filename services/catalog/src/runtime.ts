import type { RuntimeAccess, ServiceRuntime } from '@ticketpro/shared';
import type { CatalogModels } from './models';

/** What a started catalog instance works with; actions reach it through `CatalogAccess`. */
export type CatalogRuntime = ServiceRuntime & { models: CatalogModels };

export type CatalogAccess = RuntimeAccess<CatalogRuntime>;
