import type { ServiceSchema } from 'moleculer';
import {
  closeServiceResources,
  healthAction,
  openServiceResources,
  type NodeDeps,
} from '@ticketpro/shared';
import { migrations } from '../migrations';
import { bindModels } from './models';
import { loadSigningKey } from './keys/load-signing-key';
import { ensureFirstAdmin } from './users/first-admin';
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

/** Users, credentials, refresh-token families and the key access tokens are signed with. */
export function createIdentityService({ config, logger }: NodeDeps): ServiceSchema {
  let runtime: IdentityRuntime | undefined;
  const identity = (): IdentityRuntime => {
    if (!runtime) throw new Error('The identity service is not started');
    return runtime;
  };

  return {
    name: 'identity',
    actions: {
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
      health: healthAction(() => runtime?.resources.db),
    },

    async started() {
      const resources = await openServiceResources(config, 'identity', migrations, logger);
      try {
        const starting: IdentityRuntime = {
          config,
          resources,
          models: bindModels(resources.db),
          signingKey: await loadSigningKey(config, resources.db),
        };
        await ensureFirstAdmin(starting, logger);
        runtime = starting;
      } catch (err) {
        await closeServiceResources(resources, logger);
        throw err;
      }
    },

    async stopped() {
      const stopping = runtime;
      runtime = undefined;
      await closeServiceResources(stopping?.resources, logger);
    },
  };
}
