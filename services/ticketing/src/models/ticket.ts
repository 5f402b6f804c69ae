import { BaseModel, type TicketStatus } from '@ticketpro/shared';

export class Ticket extends BaseModel {
  static override tableName = 'tickets';

  declare id: number;
  declare order_id: number;
  declare ticket_type_id: number;
  declare unit: number;
  declare event_id: number;
  /** The owner: the user who paid for the order, or whom it was transferred to since. */
  declare user_id: number;
  declare seat_number: string | null;
  declare secret: Buffer;
  declare qr_code: string;
  declare status: TicketStatus;
  declare checked_in: boolean;
  declare checked_out: boolean;
  declare validated_at: Date | null;
  declare validated_by: number | null;
}
