import { BaseModel, type TransferStatus } from '@ticketpro/shared';

export class TicketTransfer extends BaseModel {
  static override tableName = 'ticket_transfers';

  declare id: number;
  declare ticket_id: number;
  declare event_id: number;
  declare from_user_id: number;
  declare recipient_email: string;
  declare message: string | null;
  declare status: TransferStatus;
  declare to_user_id: number | null;
  declare by_admin: boolean;
  declare expires_at: Date;
  declare decided_at: Date | null;
}
