import { defineService, identityContract, keyringReloadTask } from '@ticketpro/shared';
import { migrations } from '../migrations';
import { bindModels } from './models';
import { loadSigningKeys } from './keys/load-signing-keys';
import { ensureFirstAdmin } from './users/first-admin';
import { assertPasswordHashCostAllowed } from './passwords/hashing';
import type { IdentityRuntime } from './runtime';
import { registerAction } from './actions/register';
import { loginAction } from './actions/login';
import { refreshAction } from './actions/refresh';
import { logoutAction } from './actions/logout';
import { meAction } from './actions/me';
import { listUsersAction } from './actions/users-list';
import { getUserAction } from './actions/users-get';
import { updateUserAction } from './actions/users-update';
import { deleteUserAction } from './actions/users-delete';
import { userNamesAction } from './actions/users-names';
import { keysAction } from './actions/keys';
import { tokenRevocationsAction } from './actions/tokens-revocations';

export type { IdentityRuntime } from './runtime';

export interface IdentityOptions {
  /** How often the signing keys are read again, to pick up a rotation (tests shorten it). */
  keyringReloadMs?: number;
}

/** Users, credentials, refresh-token families and the keys access tokens are signed with. */
export const createIdentityService = defineService({
  contract: identityContract,
  migrations,
  async prepare(base) {
    assertPasswordHashCostAllowed(base.config);
    const runtime: IdentityRuntime = {
      ...base,
      models: bindModels(base.resources.db),
      signingKeys: await loadSigningKeys(base.config, base.resources.db),
    };
    await ensureFirstAdmin(runtime, base.logger);
    return { models: runtime.models, signingKeys: runtime.signingKeys };
  },
  actions: (identity) => ({
    register: registerAction(identity),
    login: loginAction(identity),
    refresh: refreshAction(identity),
    logout: logoutAction(identity),
    me: meAction(identity),
    'users.list': listUsersAction(identity),
    'users.get': getUserAction(identity),
    'users.update': updateUserAction(identity),
    'users.delete': deleteUserAction(identity),
    'users.names': userNamesAction(identity),
    keys: keysAction(identity),
    'tokens.revocations': tokenRevocationsAction(identity),
  }),
  tasks: ({ signingKeys }, options: IdentityOptions) => [keyringReloadTask(signingKeys, options.keyringReloadMs)],
});
