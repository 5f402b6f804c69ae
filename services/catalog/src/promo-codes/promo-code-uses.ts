/**
 * SQL for the orders using the promo code `pc` now: those whose holds carry it and are sold, or
 * held and not past their expiry. A hold released (a cancelled order) or lapsed (an expired one)
 * stops counting at once, swept or not: its use is back. `userFilter` narrows to one user's.
 */
export const promoCodeUses = (userFilter = '') => `(SELECT count(DISTINCT h.order_id)::int FROM holds h
  WHERE h.promo_code_id = pc.id ${userFilter}
    AND (h.state IN ('confirmed', 'returned') OR (h.state = 'held' AND h.expires_at > now())))`;
