import type { ServiceSchema } from 'moleculer';
import { NotFoundError } from '@ticketpro/shared';
import { standInService } from '@ticketpro/shared/testing';

/** Stands in for catalog across the boundary: `events.get` answering from `organizers`, counting calls. */
export class CatalogStandIn {
  /** Event id → organizer id. */
  readonly organizers = new Map<number, number>();
  calls = 0;

  schema(): ServiceSchema {
    return standInService('catalog', {
      'events.get': async (ctx) => {
        this.calls++;
        const organizerId = this.organizers.get(ctx.params.id);
        if (organizerId === undefined) throw new NotFoundError('Event not found');
        const at = new Date().toISOString();
        return {
          id: ctx.params.id,
          event_name: `Event ${ctx.params.id}`,
          description: 'An event catalog knows of',
          organizer_id: organizerId,
          location: 'Harare',
          date: at,
          image: null,
          capacity: null,
          organizer: { id: organizerId, firstname: '', surname: '' },
          ticket_types: [],
          created_at: at,
          updated_at: at,
        };
      },
    });
  }
}
