import { ConflictError } from '@ticketpro/shared';
import type { PaymentProvider, RefundOutcome } from './provider';

/**
 * Cash at the door: the money is in someone's hand before anything is recorded, so there is
 * nothing to charge (`POST /orders/{id}/payments/cash` records it), and a refund is owed until
 * someone hands it back and settles it.
 */
export class CashPaymentProvider implements PaymentProvider {
  readonly name = 'cash' as const;

  async charge(): Promise<never> {
    throw new ConflictError("Cash is paid at the door: the event's organizer records it");
  }

  async refund(): Promise<RefundOutcome> {
    return { state: 'owed' };
  }
}
