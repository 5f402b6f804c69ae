import { BaseModel, type DecimalText, type PaymentMethod } from '@ticketpro/shared';
import type { PaymentKind, PaymentState } from './constants';

/** One row of the ledger: a payment attempt or a refund (see `PAYMENT_STATES` for the states). */
export class Payment extends BaseModel {
  static override tableName = 'payments';

  declare id: number;
  declare order_id: number;
  declare kind: PaymentKind;
  declare provider: string;
  declare state: PaymentState;
  declare amount: DecimalText;
  declare currency: string;
  declare provider_ref: string | null;
  declare provider_status: string | null;
  declare client_secret: string | null;
  declare refund_of: number | null;
  declare refund_key: string | null;
  declare ticket_ids: number[] | null;
  declare recorded_by: number | null;
  declare settled_by: number | null;
  declare settled_at: Date | null;
  declare instructions: string | null;
  declare phone: string | null;
  declare poll_url: string | null;
  declare note: string | null;
  /** The order's payment method when the attempt started; null on attempts older than migration 012. */
  declare method: PaymentMethod | null;
  /** Web checkout: where the buyer pays. Only the buyer is shown it. */
  declare redirect_url: string | null;
  /** While set and ahead of now, a request is asking the provider to take this payment. */
  declare charging_until: Date | null;
  /** The node of the request asking the provider while `charging_until` is ahead; a repeat takes over from a gone one. */
  declare charging_by: string | null;
}
