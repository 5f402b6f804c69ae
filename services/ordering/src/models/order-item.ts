import { Model } from 'objection';
import type { DecimalText } from '@ticketpro/shared';

export class OrderItem extends Model {
  static override tableName = 'order_items';
  static override idColumn = ['order_id', 'ticket_type_id'];

  declare order_id: number;
  declare ticket_type_id: number;
  declare quantity: number;
  /** The price catalog held the units at. */
  declare unit_price: DecimalText;
  /** Off the line, by the order's promo code. */
  declare discount: DecimalText;
}
