import type { ServiceSchema } from 'moleculer';
import { NotFoundError } from '@ticketpro/shared';

/** Stands in for catalog across the boundary: `events.get` answering from `organizers`, counting calls. */
export class CatalogStandIn {
  /** Event id → organizer id. */
  readonly organizers = new Map<number, number>();
  calls = 0;

  schema(): ServiceSchema {
    return {
      name: 'catalog',
      actions: {
        'events.get': {
          handler: async (ctx: { params: { id: number } }) => {
            this.calls++;
            const organizerId = this.organizers.get(ctx.params.id);
            if (organizerId === undefined) throw new NotFoundError('Event not found');
            return { id: ctx.params.id, organizer_id: organizerId };
          },
        },
      },
    };
  }
}
