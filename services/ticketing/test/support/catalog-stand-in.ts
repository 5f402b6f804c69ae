import type { ServiceSchema } from 'moleculer';
import { NotFoundError } from '@ticketpro/shared';
import { standInService } from '@ticketpro/shared/testing';

/** Stands in for catalog across the boundary: `events.get` answering from `organizers` (and `starts`, `transferCutoffs`), counting calls. */
export class CatalogStandIn {
  /** Event id → organizer id. */
  readonly organizers = new Map<number, number>();
  /** Event id → its start (a year ahead unless set) and transfer cut-off in hours (none unless set). */
  readonly starts = new Map<number, Date>();
  readonly transferCutoffs = new Map<number, number>();
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
          date: (this.starts.get(ctx.params.id) ?? new Date(Date.now() + 365 * 86_400_000)).toISOString(),
          image: null,
          capacity: null,
          transfer_cutoff_hours: this.transferCutoffs.get(ctx.params.id) ?? null,
          organizer: { id: organizerId, firstname: '', surname: '' },
          ticket_types: [],
          created_at: at,
          updated_at: at,
        };
      },
    });
  }
}
