import { defineAction, NoParams } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { authenticatedCaller } from '../auth/caller';
import { toUserView } from '../users/user-views';

export function meAction(identity: IdentityAccess) {
  return defineAction(NoParams, async (ctx) => toUserView(await authenticatedCaller(ctx, identity().models)));
}
