import { defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { callerAccount } from '../auth/caller';
import { toUserView } from '../users/user-views';

export function meAction(identity: IdentityAccess) {
  return defineAction('identity.me', async (ctx) => toUserView(await callerAccount(ctx, identity().models)));
}
