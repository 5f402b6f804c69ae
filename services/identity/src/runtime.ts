import type { Config, ServiceResources } from '@ticketpro/shared';
import type { IdentityModels } from './models';
import type { SigningKey } from './keys/signing-key';

/** What a started identity instance works with; actions reach it through `IdentityAccess`. */
export interface IdentityRuntime {
  config: Config;
  resources: ServiceResources;
  models: IdentityModels;
  signingKey: SigningKey;
}

/** The running instance's state; throws while the service is not started. */
export type IdentityAccess = () => IdentityRuntime;
