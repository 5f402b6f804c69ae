import type { ServiceSchema } from 'moleculer';
import type { CallMeta } from '@ticketpro/shared';

export interface UserNames {
  id: number;
  firstname: string;
  surname: string;
}

/**
 * Stands in for the identity service across the boundary: a `users.names` action answering
 * from `users`, recording each call's ids and request id.
 */
export class IdentityStandIn {
  readonly users = new Map<number, UserNames>();
  readonly calls: { ids: number[]; requestId?: string }[] = [];
  /** Set to make `users.names` fail, as when identity is unreachable. */
  failure?: Error;

  add(...users: UserNames[]): void {
    for (const user of users) this.users.set(user.id, user);
  }

  schema(): ServiceSchema {
    return {
      name: 'identity',
      actions: {
        'users.names': {
          handler: async (ctx: { params: { ids: number[] }; meta: CallMeta }) => {
            this.calls.push({ ids: [...ctx.params.ids].sort((a, b) => a - b), requestId: ctx.meta.requestId });
            if (this.failure) throw this.failure;
            return ctx.params.ids.flatMap((id) => (this.users.has(id) ? [this.users.get(id)] : []));
          },
        },
      },
    };
  }
}
