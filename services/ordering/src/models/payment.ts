import { BaseModel, type DecimalText } from '@ticketpro/shared';
import type { PaymentState } from './constants';

export class Payment extends BaseModel {
  static override tableName = 'payments';

  declare id: number;
  declare order_id: number;
  declare provider: string;
  declare state: PaymentState;
  declare amount: DecimalText;
  declare currency: string;
  declare provider_ref: string | null;
  declare provider_status: string | null;
  declare client_secret: string | null;
}
