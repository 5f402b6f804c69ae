import { SoftDeleteModel, type DecimalText } from '@ticketpro/shared';

/** A code of an event's that takes a percentage or an amount off its tickets; see migration 012. */
export class PromoCode extends SoftDeleteModel {
  static override tableName = 'promo_codes';

  declare id: number;
  declare event_id: number;
  declare code: string;
  declare percent_off: DecimalText | null;
  declare amount_off: DecimalText | null;
  /** Null: every ticket type of the event. */
  declare ticket_type_ids: number[] | null;
  declare starts_at: Date | null;
  declare ends_at: Date | null;
  declare max_uses: number | null;
  declare max_uses_per_user: number | null;
  declare unlocks_ticket_type_ids: number[];
  /** Only on rows read with the `withUses` modifier. */
  declare uses?: number;
}
