import { BadRequestError, ProblemError, type DecimalText } from '@ticketpro/shared';
import type { ChargeRequest, ChargeResult, PaymentProvider, PaymentStatusReport, RefundOutcome } from '../provider';
import { toMinorUnits } from '../minor-units';
import { field, isSignedByPaynow, outcomeOf, parseMessage, signedBody, type PaynowFields } from './protocol';

export interface PaynowSettings {
  integrationId: string;
  integrationKey: string;
  /** Paynow's base URL; the protocol's `/interface/...` paths are added to it. */
  apiUrl: string;
  resultUrl: string;
  returnUrl: string;
}

/** A status update from Paynow (result callback or poll answer) whose hash was checked. */
export interface PaynowStatusUpdate {
  /** Our reference: `TP-<payment id>`. */
  reference: string;
  amount: string;
  status: string;
  paynowReference: string;
}

/** Our reference of a payment at Paynow; the payment id comes back out of it. */
export const paynowReference = (paymentId: number) => `TP-${paymentId}`;
export function paymentIdOf(reference: string): number | undefined {
  const match = /^TP-(\d{1,15})$/.exec(reference);
  return match ? Number(match[1]) : undefined;
}

/** Whether Paynow's amount (`12.5`, `12.50`) is exactly ours. */
export function sameAmount(paynowAmount: string, ours: DecimalText): boolean {
  try {
    return toMinorUnits(paynowAmount as DecimalText) === toMinorUnits(ours);
  } catch {
    return false;
  }
}

const MOBILE_METHODS = ['ecocash', 'onemoney'];
const TIMEOUT_MS = 8000;

/**
 * Paynow, over its documented HTTP protocol (the official `paynow` package cannot be pointed
 * anywhere but paynow.co.zw, so it could not be tested against a stand-in). EcoCash and
 * OneMoney start a remote transaction: Paynow pushes a USSD prompt to the buyer's phone and the
 * payment is awaited; other methods start a web checkout the buyer is redirected to. Either way
 * Paynow posts the outcome to the result URL, and the poll URL answers it when asked. Paynow has
 * no refund API: refunds are owed, and paid out by hand.
 */
export class PaynowPaymentProvider implements PaymentProvider {
  readonly name = 'paynow' as const;

  constructor(private readonly settings: PaynowSettings) {}

  async charge({ paymentId, amount, method, phone, email, orderId }: ChargeRequest): Promise<ChargeResult> {
    const mobile = MOBILE_METHODS.includes(method);
    const fields: PaynowFields = [
      ['id', this.settings.integrationId],
      ['reference', paynowReference(paymentId)],
      ['amount', amount],
      ['additionalinfo', `TicketPro order ${orderId}`],
      ['returnurl', this.returnUrlOf(orderId)],
      ['resulturl', this.settings.resultUrl],
      ['authemail', email ?? ''],
      ...(mobile
        ? ([
            ['phone', phone ?? ''],
            ['method', method],
          ] as PaynowFields)
        : []),
      ['status', 'Message'],
    ];
    const path = mobile ? '/interface/remotetransaction' : '/interface/initiatetransaction';
    const answer = await this.post(new URL(path, this.settings.apiUrl).toString(), signedBody(fields, this.key));
    const status = field(answer, 'status') ?? '';
    if (status.toLowerCase() === 'error') {
      return {
        outcome: 'declined',
        reference: paynowReference(paymentId),
        providerStatus: field(answer, 'error') ?? 'Error',
      };
    }
    this.assertSigned(answer);
    return {
      outcome: 'awaiting',
      reference: paynowReference(paymentId),
      providerStatus: status,
      pollUrl: field(answer, 'pollurl'),
      instructions:
        field(answer, 'instructions') ??
        (mobile ? `Confirm the payment of ${amount} on your phone (${phone}) with your PIN` : undefined),
      redirectUrl: field(answer, 'browserurl'),
    };
  }

  /**
   * Where Paynow sends the buyer back after paying: the return URL naming the order, since Paynow
   * adds nothing to it and recommends that it say which transaction the buyer comes back from.
   */
  private returnUrlOf(orderId: number): string {
    const url = new URL(this.settings.returnUrl);
    url.searchParams.set('order_id', String(orderId));
    return url.toString();
  }

  /** Paynow has no refund API: the buyer is paid back by hand and the refund settled then. */
  async refund(): Promise<RefundOutcome> {
    return { state: 'owed' };
  }

  async poll(pollUrl: string): Promise<PaymentStatusReport> {
    return reportOf(this.statusUpdate(await this.post(pollUrl, '')));
  }

  /** A result callback's fields, if Paynow signed them with our key; otherwise 400 and nothing changes. */
  verifyResult(body: PaynowFields): PaynowStatusUpdate {
    if (!isSignedByPaynow(body, this.key))
      throw new BadRequestError('The Paynow status update is not signed with our key');
    return this.statusUpdate(body);
  }

  private statusUpdate(message: PaynowFields): PaynowStatusUpdate {
    this.assertSigned(message);
    return {
      reference: field(message, 'reference') ?? '',
      amount: field(message, 'amount') ?? '',
      status: field(message, 'status') ?? '',
      paynowReference: field(message, 'paynowreference') ?? '',
    };
  }

  private assertSigned(message: PaynowFields): void {
    if (!isSignedByPaynow(message, this.key)) {
      throw new ProblemError('service-unavailable', "The payment provider's answer is not signed with our key");
    }
  }

  private get key(): string {
    return this.settings.integrationKey;
  }

  /** A form post to Paynow; Paynow unreachable or failing is a 503 the client may retry. */
  private async post(url: string, body: string): Promise<PaynowFields> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return parseMessage(await response.text());
    } catch (err) {
      throw new ProblemError('service-unavailable', `The payment provider failed: ${(err as Error).message}`);
    }
  }
}

/** What a signed status update means for the payment. */
export function reportOf(update: PaynowStatusUpdate): PaymentStatusReport {
  return {
    outcome: outcomeOf(update.status),
    providerStatus: update.status,
    amount: update.amount,
    reference: update.reference,
  };
}
