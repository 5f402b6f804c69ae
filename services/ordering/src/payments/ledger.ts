import {
  ConflictError,
  decimalNumber,
  iso,
  NotFoundError,
  type AuthUser,
  type PaymentTransaction,
  type ServiceCaller,
} from '@ticketpro/shared';
import type { Payment } from '../models';
import type { OrderingRuntime } from '../runtime';
import { readOrder } from '../orders/find-order';
import { assertMaySeePayments, assertOrganizerOrAdmin } from '../orders/order-access';

/** A ledger row's state as the API names it. */
function publicState(row: Payment): PaymentTransaction['state'] {
  if (row.kind === 'refund')
    return row.state === 'owed' ? 'refund_owed' : row.state === 'refunded' ? 'refunded' : 'pending';
  switch (row.state) {
    case 'initiated':
      return 'pending';
    case 'awaiting':
      return 'awaiting_confirmation';
    case 'captured':
      return 'completed';
    case 'cancelled':
      return 'cancelled';
    case 'refunded':
      return 'refunded';
    default:
      // declined, abandoned
      return 'failed';
  }
}

/** One ledger row as `viewer` sees it: a web checkout's redirect URL is for the buyer who pays, nobody else. */
export function toTransactionView(row: Payment, viewer: AuthUser, buyerId: number): PaymentTransaction {
  return {
    id: row.id,
    order_id: row.order_id,
    kind: row.kind,
    provider: row.provider,
    provider_reference: row.provider_ref,
    amount: decimalNumber(row.amount),
    currency: row.currency,
    state: publicState(row),
    refund_of: row.refund_of === null ? null : Number(row.refund_of),
    ticket_ids: row.ticket_ids,
    recorded_by: row.recorded_by,
    settled_by: row.settled_by,
    settled_at: row.settled_at === null ? null : iso(row.settled_at),
    note: row.note,
    ...(row.redirect_url !== null && viewer.id === buyerId ? { redirect_url: row.redirect_url } : {}),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

/** The order's ledger, oldest first: for its buyer, the event's organizer and admins (else 404). */
export async function orderPayments(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  caller: AuthUser,
  orderId: number,
): Promise<PaymentTransaction[]> {
  const order = await readOrder(runtime.models, orderId, { withDeleted: true });
  if (!order) throw new NotFoundError('Order not found');
  await assertMaySeePayments(call, caller, order);
  const rows = await runtime.models.Payment.query().where('order_id', orderId).orderBy('id');
  return rows.map((row) => toTransactionView(row, caller, order.user_id));
}

/** The order's 404 speaks of the row asked for; other errors pass. */
function asTransactionNotFound(err: unknown): never {
  throw (err as { code?: number }).code === 404 ? new NotFoundError('Payment transaction not found') : err;
}

/** One ledger row, for whoever may see its order's payments (else 404). */
export async function paymentTransaction(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  caller: AuthUser,
  id: number,
): Promise<PaymentTransaction> {
  const row = await runtime.models.Payment.query().findById(id);
  const order = row && (await readOrder(runtime.models, row.order_id, { withDeleted: true }));
  if (!row || !order) throw new NotFoundError('Payment transaction not found');
  await assertMaySeePayments(call, caller, order).catch(asTransactionNotFound);
  return toTransactionView(row, caller, order.user_id);
}

/**
 * An owed refund paid out by hand (cash back at the box office, an EcoCash transfer): the
 * event's organizer or an admin marks it `refunded`, with who and when. Only an owed refund can
 * be settled, once (409 after); the row is locked, so two at once settle it once.
 */
export async function settleOwedRefund(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  caller: AuthUser,
  id: number,
): Promise<PaymentTransaction> {
  const { models, resources } = runtime;
  const found = await models.Payment.query().findById(id);
  const order = found && (await readOrder(models, found.order_id, { withDeleted: true }));
  if (!found || !order) throw new NotFoundError('Payment transaction not found');
  await assertOrganizerOrAdmin(call, caller, order, 'settle a refund').catch(asTransactionNotFound);
  const settled = await resources.db.transaction(async (trx) => {
    const row = (await models.Payment.query(trx).findById(id).forUpdate())!;
    if (row.kind !== 'refund' || row.state !== 'owed') {
      throw new ConflictError(`Only an owed refund can be settled; this one is ${publicState(row)}`, {
        transaction_id: id,
      });
    }
    return models.Payment.query(trx).patchAndFetchById(id, {
      state: 'refunded',
      settled_by: caller.id,
      settled_at: new Date(),
    });
  });
  return toTransactionView(settled, caller, order.user_id);
}
