import { Model, raw, type QueryBuilder } from 'objection';
import { SoftDeleteModel, type DecimalText, type PaymentMethod, type PaymentStatus } from '@ticketpro/shared';
import { OrderItem } from './order-item';

/** True for a pending order past its expiry, by the database's clock, whether or not the sweep ran. */
export const LAPSED = "(orders.payment_status = 'pending' AND orders.expires_at <= now())";

export class Order extends SoftDeleteModel {
  static override tableName = 'orders';

  declare id: number;
  declare user_id: number;
  declare event_id: number;
  declare order_date: Date;
  declare total_price: DecimalText;
  declare discount: DecimalText;
  declare promo_code: string | null;
  declare currency: string;
  declare payment_method: PaymentMethod;
  /** As stored: a lapsed pending order still says `pending` here until the sweep runs. */
  declare payment_status: PaymentStatus;
  declare expires_at: Date | null;
  declare items?: OrderItem[];
  /** Only on rows read with the `withLapse` modifier. */
  declare lapsed?: boolean;

  /** The status clients see: a lapsed pending order is expired at once. */
  get status(): PaymentStatus {
    return this.lapsed ? 'expired' : this.payment_status;
  }

  static override modifiers = {
    withLapse(query: QueryBuilder<Order>) {
      query.select('orders.*', raw(`${LAPSED} AS lapsed`));
    },
  };

  static override relationMappings = () => ({
    items: {
      relation: Model.HasManyRelation,
      modelClass: OrderItem,
      join: { from: 'orders.id', to: 'order_items.order_id' },
    },
  });
}
