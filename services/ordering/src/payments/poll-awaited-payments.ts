import { queryRows, type NamedStatement, type ServiceCaller } from '@ticketpro/shared';
import type { OrderingRuntime } from '../runtime';
import { applyStatusReport } from './apply-status-report';

const BATCH = 50;
/** How long an awaited payment is asked after: money confirmed later than this is not looked for. */
const POLL_FOR_HOURS = 24;

/**
 * Asked every 30 s per instance, nearly always to find nothing: a named statement straight
 * through the driver, not objection's and knex's builder and runner (docs/PERFORMANCE.md).
 */
const AWAITED: NamedStatement = {
  name: 'payments_awaited',
  text: `SELECT id, provider, poll_url FROM payments
         WHERE state = 'awaiting' AND kind = 'payment' AND poll_url IS NOT NULL
           AND created_at > now() - interval '${POLL_FOR_HOURS} hours'
         ORDER BY updated_at
         LIMIT ${BATCH}`,
};

/**
 * For payments a provider settles later and never called back about: asks the provider (its poll
 * URL) and settles each as its callback would have. Oldest first, a batch per run; a payment
 * whose order lapsed meanwhile is still asked, so money confirmed late is found and recorded as a
 * refund owed. A provider unreachable now is asked again on the next run.
 */
export async function pollAwaitedPayments(runtime: OrderingRuntime, call: ServiceCaller): Promise<number> {
  const { models, payments, logger, resources } = runtime;
  const awaited = await queryRows<{ id: number; provider: string; poll_url: string }>(resources.db, AWAITED, []);
  let settled = 0;
  for (const payment of awaited) {
    const provider = payments.named(payment.provider);
    if (!provider?.poll) continue;
    try {
      const report = await provider.poll(payment.poll_url);
      if (report.outcome !== 'pending') {
        await applyStatusReport(runtime, call, payment.provider, report);
        settled += 1;
      } else {
        // Asked now: the next run asks the others first.
        await models.Payment.query().findById(payment.id).patch({ provider_status: report.providerStatus });
      }
    } catch (err) {
      logger.warn({ err, paymentId: payment.id }, 'polling an awaited payment failed; the next run asks again');
    }
  }
  return settled;
}
