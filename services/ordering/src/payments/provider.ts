import type { DecimalText } from '@ticketpro/shared';

/** One payment attempt, as ordering asks a provider to take it. */
export interface ChargeRequest {
  /** Our payments row: the provider's idempotency key, so a retried charge takes the money once. */
  paymentId: number;
  orderId: number;
  amount: DecimalText;
  currency: string;
  /** Asks the test provider to decline; real providers ignore it. */
  fail?: boolean;
}

export interface ChargeResult {
  /** `waiting`: the client must act (e.g. confirm a Stripe PaymentIntent); a webhook tells the end. */
  outcome: 'succeeded' | 'declined' | 'waiting';
  /** The provider's id of the payment. */
  reference: string;
  /** The provider's own word for the state, shown to the client while waiting. */
  providerStatus: string;
  clientSecret?: string;
}

export interface RefundRequest {
  paymentId: number;
  reference: string;
}

/** Where money is taken and given back. Both calls are idempotent on the payment id. */
export interface PaymentProvider {
  readonly name: 'test' | 'stripe';
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<void>;
}
