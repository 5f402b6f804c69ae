import { Model } from 'objection';

/** A user's public name, as catalog last learnt it from identity. */
export class Organizer extends Model {
  static override tableName = 'organizers';

  declare id: number;
  declare firstname: string;
  declare surname: string;
  declare as_of: Date;
}
