import type { ServiceSchema } from 'moleculer';
import type { PublicName } from '@ticketpro/shared';
import { standInService } from '@ticketpro/shared/testing';

/**
 * Stands in for the identity service across the boundary: a `users.names` action answering
 * from `users`, recording each call's ids and request id.
 */
export class IdentityStandIn {
  readonly users = new Map<number, PublicName>();
  readonly calls: { ids: number[]; requestId?: string }[] = [];
  /** Set to make `users.names` fail, as when identity is unreachable. */
  failure?: Error;

  add(...users: PublicName[]): void {
    for (const user of users) this.users.set(user.id, user);
  }

  schema(): ServiceSchema {
    return standInService('identity', {
      'users.names': async (ctx) => {
        this.calls.push({ ids: [...ctx.params.ids].sort((a, b) => a - b), requestId: ctx.meta.requestId });
        if (this.failure) throw this.failure;
        return ctx.params.ids.flatMap((id) => this.users.get(id) ?? []);
      },
    });
  }
}
