import type { DecimalText, PaymentMethod } from '@ticketpro/shared';

/** Every way money reaches ordering; a ledger row names one. */
export type ProviderName = 'test' | 'stripe' | 'paynow' | 'cash';

/** One payment attempt, as ordering asks a provider to take it. */
export interface ChargeRequest {
  /** Our payments row: the provider's idempotency key, so a retried charge takes the money once. */
  paymentId: number;
  orderId: number;
  amount: DecimalText;
  currency: string;
  method: PaymentMethod;
  /** The mobile money number to push the payment to (Paynow's EcoCash/OneMoney). */
  phone?: string;
  /** The buyer's email, which Paynow requires with every transaction. */
  email?: string;
  /** Asks the test provider to decline; real providers ignore it. */
  fail?: boolean;
}

export interface ChargeResult {
  /**
   * `succeeded`/`declined`: the provider answered at once. `waiting`: the client must act (confirm
   * a Stripe PaymentIntent). `awaiting`: the buyer confirms elsewhere (a USSD prompt on the phone,
   * a web checkout) and the provider tells us later: a callback, or its status when polled.
   */
  outcome: 'succeeded' | 'declined' | 'waiting' | 'awaiting';
  /** The provider's id of the payment. */
  reference: string;
  /** The provider's own word for the state, shown to the client while waiting. */
  providerStatus: string;
  clientSecret?: string;
  /** What the buyer is told to do while the payment is awaited. */
  instructions?: string;
  /** Web checkout: where the buyer pays. */
  redirectUrl?: string;
  /** Where the payment's status can be asked for (Paynow's poll URL). */
  pollUrl?: string;
}

/**
 * What a provider says (asked, or of its own accord) about a payment it settles later: its
 * outcome, the amount it took and the payment's reference (ours) as the provider names it.
 */
export interface PaymentStatusReport {
  outcome: 'paid' | 'failed' | 'cancelled' | 'pending';
  providerStatus: string;
  amount: string;
  reference: string;
}

export interface RefundRequest {
  /** Unique per refund: the provider's idempotency key, so a retried refund returns the money once. */
  refundKey: string;
  /** The payment's reference at the provider. */
  reference: string;
  amount: DecimalText;
  currency: string;
}

/** Given back by the provider, or owed: it has no refund API, and someone pays the buyer out. */
export type RefundOutcome = { state: 'refunded'; reference?: string } | { state: 'owed' };

/** Where money is taken and given back. Charges are idempotent on the payment id, refunds on their key. */
export interface PaymentProvider {
  readonly name: ProviderName;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<RefundOutcome>;
  /** Providers that settle later: asks for the status of an awaited payment. */
  poll?(pollUrl: string): Promise<PaymentStatusReport>;
}
