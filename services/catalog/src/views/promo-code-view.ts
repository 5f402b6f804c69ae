import { decimalNumber, iso, type PromoCode as PromoCodeView } from '@ticketpro/shared';
import type { PromoCode } from '../models';

export function toPromoCodeView(code: PromoCode): PromoCodeView {
  return {
    id: code.id,
    event_id: code.event_id,
    code: code.code,
    percent_off: code.percent_off === null ? null : decimalNumber(code.percent_off),
    amount_off: code.amount_off === null ? null : decimalNumber(code.amount_off),
    ticket_type_ids: code.ticket_type_ids,
    starts_at: code.starts_at && iso(code.starts_at),
    ends_at: code.ends_at && iso(code.ends_at),
    max_uses: code.max_uses,
    max_uses_per_user: code.max_uses_per_user,
    unlocks_ticket_type_ids: code.unlocks_ticket_type_ids,
    uses: code.uses ?? 0,
    created_at: iso(code.created_at),
    updated_at: iso(code.updated_at),
  };
}
