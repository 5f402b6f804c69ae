import { BadRequestError, NotFoundError, type ServiceCaller } from '@ticketpro/shared';
import type { OrderingRuntime } from '../runtime';
import type { PaymentStatusReport } from './provider';
import { completePayment } from './complete-payment';
import { failPayment } from './pay-order';
import { paymentIdOf, sameAmount } from './paynow/paynow-provider';

/**
 * What a provider that settles later said about one of our payments (its result callback, or
 * its answer when polled), whose signature the caller checked. Paid: the payment is captured
 * and the order completed as any payment completes it, or, if the order lapsed meanwhile, the
 * money is refunded (owed, with Paynow). Cancelled or failed: the payment fails and the units
 * are released. The payment's row is locked while its state changes, so a callback and a poll
 * arriving at the same instant settle it once; a report about a settled payment changes
 * nothing. An unknown reference (404) or an amount other than ours (400) changes nothing.
 */
export async function applyStatusReport(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  provider: string,
  report: PaymentStatusReport,
): Promise<void> {
  const { models, resources, logger } = runtime;
  const paymentId = paymentIdOf(report.reference);
  const next = await resources.db.transaction(async (trx) => {
    const payment =
      paymentId === undefined
        ? undefined
        : await models.Payment.query(trx).findById(paymentId).where({ provider, kind: 'payment' }).forUpdate();
    if (!payment) throw new NotFoundError(`No ${provider} payment ${report.reference}`);
    if (report.outcome === 'pending') return 'nothing';
    if (report.outcome === 'paid' && !sameAmount(report.amount, payment.amount)) {
      throw new BadRequestError(`The amount ${report.amount} is not the payment's ${payment.amount}`);
    }
    const open = ['initiated', 'awaiting', 'abandoned'].includes(payment.state);
    if (report.outcome === 'paid') {
      if (open)
        await models.Payment.query(trx)
          .findById(payment.id)
          .patch({ state: 'captured', provider_status: report.providerStatus });
      // Captured (now or before, its saga cut short): completing again is harmless.
      return payment.state === 'captured' || open ? 'complete' : 'nothing';
    }
    return open ? 'fail' : 'nothing';
  });
  if (next === 'complete') await completePayment(runtime, call, paymentId!);
  if (next === 'fail') {
    await failPayment(runtime, call, paymentId!, report.outcome === 'cancelled' ? 'cancelled' : 'declined', {
      provider_status: report.providerStatus,
    });
    logger.info({ paymentId, status: report.providerStatus }, 'awaited payment failed; units released');
  }
}
