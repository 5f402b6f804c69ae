import { NotFoundError, type ServiceCaller } from '@ticketpro/shared';
import type { OrderingRuntime } from '../../runtime';
import { applyStatusReport } from '../apply-status-report';
import { PaynowPaymentProvider, reportOf } from './paynow-provider';
import type { PaynowFields } from './protocol';

/**
 * Paynow's result callback: a status update posted to `PAYNOW_RESULT_URL`. Its hash is checked
 * first (forged: 400, nothing changes), then it settles the payment it names exactly as a poll
 * would. A repeat finds the payment settled and changes nothing.
 */
export async function handlePaynowResult(runtime: OrderingRuntime, call: ServiceCaller, fields: PaynowFields) {
  const paynow = runtime.payments.named('paynow');
  if (!(paynow instanceof PaynowPaymentProvider)) throw new NotFoundError('Paynow is not configured here');
  const update = paynow.verifyResult(fields);
  await applyStatusReport(runtime, call, 'paynow', reportOf(update));
}
