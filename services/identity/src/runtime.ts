import type { RuntimeAccess, ServiceRuntime } from '@ticketpro/shared';
import type { IdentityModels } from './models';
import type { SigningKeys } from './keys/signing-key';

/** What a started identity instance works with; actions reach it through `IdentityAccess`. */
export type IdentityRuntime = ServiceRuntime & {
  models: IdentityModels;
  signingKeys: SigningKeys;
};

export type IdentityAccess = RuntimeAccess<IdentityRuntime>;
