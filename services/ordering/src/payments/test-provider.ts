import type { ChargeRequest, ChargeResult, PaymentProvider, RefundOutcome } from './provider';

/** Takes no money: succeeds unless told to fail, so the whole flow runs without a real provider. */
export class TestPaymentProvider implements PaymentProvider {
  readonly name = 'test' as const;

  async charge({ paymentId, fail }: ChargeRequest): Promise<ChargeResult> {
    return fail
      ? { outcome: 'declined', reference: `test_${paymentId}`, providerStatus: 'declined' }
      : { outcome: 'succeeded', reference: `test_${paymentId}`, providerStatus: 'succeeded' };
  }

  async refund(): Promise<RefundOutcome> {
    return { state: 'refunded' };
  }
}
