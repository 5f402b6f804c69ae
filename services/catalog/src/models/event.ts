import { Model } from 'objection';
import { SoftDeleteModel } from '@ticketpro/shared';
import { TicketType } from './ticket-type';

export class Event extends SoftDeleteModel {
  static override tableName = 'events';

  declare id: number;
  declare event_name: string;
  declare description: string;
  declare organizer_id: number;
  declare location: string;
  declare date: Date;
  declare image: string | null;
  /** Seats across all its ticket types; null: only each type's own quantity limits it. */
  declare capacity: number | null;
  declare ticket_types?: TicketType[];

  static override relationMappings = () => ({
    ticket_types: {
      relation: Model.HasManyRelation,
      modelClass: TicketType,
      join: { from: 'events.id', to: 'ticket_types.event_id' },
    },
  });
}
