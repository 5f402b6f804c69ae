import type { IdentityAccess } from '../runtime';
import { authenticatedCaller } from '../auth/caller';
import { toUserView } from '../users/user-views';
import { defineAction, NoParams } from './define-action';

export function meAction(identity: IdentityAccess) {
  return defineAction(NoParams, async (ctx) => toUserView(await authenticatedCaller(ctx, identity().models)));
}
