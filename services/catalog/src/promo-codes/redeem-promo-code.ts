import type { Knex } from 'knex';
import {
  UnprocessableError,
  addMoney,
  lineDiscount,
  type DecimalText,
  type Discount,
  type HoldParams,
} from '@ticketpro/shared';
import { promoCodeUses } from './promo-code-uses';

/** A code a hold redeems: what it takes off, and of which ticket types. */
export interface RedeemedCode {
  id: number;
  code: string;
  discount: Discount;
  /** Null: every ticket type of the event. */
  ticketTypeIds: number[] | null;
  /** Hidden ticket types it lets the order hold. */
  unlocks: number[];
}

interface CodeRow {
  id: number;
  code: string;
  percent_off: DecimalText | null;
  amount_off: DecimalText | null;
  ticket_type_ids: number[] | null;
  unlocks_ticket_type_ids: number[];
  max_uses: number | null;
  max_uses_per_user: number | null;
  not_yet: boolean;
  over: boolean;
  /** Orders using it now, all and the holder's own. */
  uses: number;
  own: number;
}

const refused = (code: string, why: string) =>
  new UnprocessableError(`Promo code "${code}" ${why}`, [{ field: 'promo_code', message: why }]);

/** The code as it stands, its uses counted by the database's clock. */
function readCode(trx: Knex.Transaction, params: HoldParams, asked: string): Promise<CodeRow | undefined> {
  return trx('promo_codes as pc')
    .where('pc.event_id', params.event_id)
    .whereRaw('lower(pc.code) = lower(?)', [asked])
    .whereNull('pc.deleted_at')
    .first(
      'pc.id',
      'pc.code',
      'pc.percent_off',
      'pc.amount_off',
      'pc.ticket_type_ids',
      'pc.unlocks_ticket_type_ids',
      'pc.max_uses',
      'pc.max_uses_per_user',
      trx.raw('coalesce(pc.starts_at > now(), false) AS not_yet'),
      trx.raw('coalesce(pc.ends_at <= now(), false) AS over'),
      trx.raw(`${promoCodeUses()} AS uses`),
      trx.raw(`${promoCodeUses('AND h.user_id = ?')} AS own`, [params.holder.user_id]),
    );
}

function refuseUnusable(asked: string, row: CodeRow | undefined): asserts row is CodeRow {
  if (!row) throw refused(asked, 'is not a code of this event');
  if (row.not_yet) throw refused(asked, 'is not valid yet');
  if (row.over) throw refused(asked, 'has expired');
  if (row.max_uses !== null && row.uses >= row.max_uses) throw refused(asked, 'is used up');
  if (row.max_uses_per_user !== null && row.own >= row.max_uses_per_user) {
    throw refused(asked, `was already used ${row.own} times by this account, the most one account may`);
  }
}

/**
 * Reserves a use of the hold's promo code, if it names one, in the hold's transaction. A code
 * with use limits has its row locked, so holds redeeming it count its uses one after the other:
 * the count, read by a statement after the lock, includes every use committed before it, and the
 * hold's own counts for the next as soon as it commits. It is read once before that, unlocked: a code used
 * up or out of its window is refused at once rather than after queueing behind the holds taking
 * its last uses (a use coming back meanwhile makes it a refusal a moment early, never an extra
 * use), and a code without limits needs no lock at all (a limit set while such a hold is under
 * way applies from the next hold on, as a change of a code's limits does). A rolled back hold used
 * nothing; a released or lapsed one stops counting (`promoCodeUses`). Validity is judged by the
 * database's clock.
 */
export async function reservePromoCode(trx: Knex.Transaction, params: HoldParams): Promise<RedeemedCode | undefined> {
  const asked = params.promo_code;
  if (asked === undefined) return undefined;
  let row = await readCode(trx, params, asked);
  refuseUnusable(asked, row);
  if (row.max_uses !== null || row.max_uses_per_user !== null) {
    await trx('promo_codes').where('id', row.id).first('id').forUpdate();
    // Read again in a statement of its own, begun after the lock: it sees every use committed before.
    row = await readCode(trx, params, asked);
    refuseUnusable(asked, row);
  }
  return {
    id: row.id,
    code: row.code,
    discount: row.percent_off !== null ? { percent_off: row.percent_off } : { amount_off: row.amount_off! },
    ticketTypeIds: row.ticket_type_ids,
    unlocks: row.unlocks_ticket_type_ids,
  };
}

interface PricedItem {
  ticket_type_id: number;
  quantity: number;
  unit_price: DecimalText;
}

/**
 * Prices the held items with the code and records the code and each line's discount on the
 * order's holds (one statement); resolves to the discounts by item and in all. A code that
 * neither discounts nor unlocks any of the items is refused, so no order uses a code for nothing.
 */
export async function applyPromoCode(
  trx: Knex.Transaction,
  orderId: number,
  code: RedeemedCode,
  items: PricedItem[],
  currency: string,
): Promise<{ discounts: DecimalText[]; total: DecimalText }> {
  const discounts = items.map((item) =>
    code.ticketTypeIds === null || code.ticketTypeIds.includes(item.ticket_type_id)
      ? lineDiscount(item.unit_price, item.quantity, code.discount, currency)
      : ('0.00' as DecimalText),
  );
  const total = discounts.reduce((sum, d) => addMoney(sum, d), '0.00' as DecimalText);
  const unlocking = items.some((item) => code.unlocks.includes(item.ticket_type_id));
  if (total === '0.00' && !unlocking) throw refused(code.code, 'does not apply to these tickets');
  await trx.raw(
    `UPDATE holds h SET promo_code_id = :codeId, discount = d.discount
     FROM jsonb_to_recordset(CAST(:discounts AS jsonb)) AS d(ticket_type_id int, discount numeric)
     WHERE h.order_id = :orderId AND h.ticket_type_id = d.ticket_type_id`,
    {
      codeId: code.id,
      orderId,
      discounts: JSON.stringify(
        items.map((item, i) => ({ ticket_type_id: item.ticket_type_id, discount: discounts[i] })),
      ),
    },
  );
  return { discounts, total };
}
