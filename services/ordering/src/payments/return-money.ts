import type { Knex } from 'knex';
import type { DecimalText } from '@ticketpro/shared';
import type { OrderingModels, Payment } from '../models';
import type { PaymentProviders } from './select-provider';

export interface MoneyBack {
  orderId: number;
  /** The payment whose money goes back; none for an order completed by hand (the refund is owed). */
  payment?: Payment;
  amount: DecimalText;
  currency: string;
  /** Makes this refund once: a unique ledger key, and the provider's idempotency key. */
  refundKey: string;
  ticketIds?: number[];
  recordedBy: number | null;
}

/**
 * Gives money back through the provider that took it and records the refund in the ledger:
 * `refunded` when the provider returned it, `owed` when it cannot (cash, mobile money) and
 * someone is to pay the buyer out. A refund already recorded under the key is answered as it is,
 * so a repeated or concurrent call returns the money once. Runs in the caller's transaction when
 * given one.
 */
export async function returnMoney(
  models: OrderingModels,
  providers: PaymentProviders,
  refund: MoneyBack,
  trx?: Knex.Transaction,
): Promise<Payment> {
  const { payment } = refund;
  const knex = trx ?? models.Payment.knex();
  const [inserted] = await knex('payments')
    .insert({
      order_id: refund.orderId,
      kind: 'refund',
      provider: payment?.provider ?? 'none',
      state: 'initiated',
      amount: refund.amount,
      currency: refund.currency,
      refund_of: payment?.id ?? null,
      refund_key: refund.refundKey,
      ticket_ids: refund.ticketIds ?? null,
      recorded_by: refund.recordedBy,
    })
    .onConflict('refund_key')
    .ignore()
    .returning('id');
  // Someone else's refund under this key: wait for it, then answer it.
  const row = (await models.Payment.query(trx)
    .where('refund_key', refund.refundKey)
    .modify((q) => {
      if (!inserted) q.forUpdate();
    })
    .first())!;
  if (row.state !== 'initiated') return row;

  const provider = payment ? providers.named(payment.provider) : undefined;
  const outcome =
    payment && provider
      ? await provider.refund({
          refundKey: refund.refundKey,
          reference: payment.provider_ref ?? '',
          amount: refund.amount,
          currency: refund.currency,
        })
      : ({ state: 'owed' } as const);
  return models.Payment.query(trx).patchAndFetchById(row.id, {
    state: outcome.state,
    ...(outcome.state === 'refunded' && outcome.reference ? { provider_ref: outcome.reference } : {}),
  });
}
