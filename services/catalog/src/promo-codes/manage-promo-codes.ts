import type { Knex } from 'knex';
import { raw } from 'objection';
import {
  ConflictError,
  NotFoundError,
  UnprocessableError,
  isCheckViolation,
  isUniqueViolation,
  paginate,
  toDecimalText,
  type AuthUser,
  type FieldError,
  type PageOf,
  type ParamsOf,
} from '@ticketpro/shared';
import type { CatalogRuntime } from '../runtime';
import type { CatalogModels, PromoCode } from '../models';
import { PROMO_CODE_DISCOUNT_CHECK, PROMO_CODE_UNIQUE_INDEX, PROMO_CODE_WINDOW_CHECK } from '../models/constants';
import { managedEvent } from '../ticket-types/managed-event';
import { toDateOrNull } from '../timestamps';
import { promoCodeUses } from './promo-code-uses';

/** Runs `work` in one transaction once the caller is found to manage the event, which stays locked from deletion. */
function managingEvent<T>(
  { models, resources }: CatalogRuntime,
  caller: AuthUser,
  eventId: number,
  work: (trx: Knex.Transaction) => Promise<T>,
): Promise<T> {
  return resources.db.transaction(async (trx) => {
    await managedEvent(trx, models, caller, eventId);
    return work(trx);
  });
}

type CreateFields = Omit<ParamsOf<'catalog.promoCodes.create'>, 'id'>;
type UpdateFields = Omit<ParamsOf<'catalog.promoCodes.update'>, 'id' | 'code_id'>;

/** The event's live codes with their uses, as `pc`. */
function codesOf(models: CatalogModels, eventId: number, trx?: Knex.Transaction) {
  return models.PromoCode.query(trx)
    .alias('pc')
    .select('pc.*', raw(`${promoCodeUses()} AS uses`))
    .where('pc.event_id', eventId);
}

async function findCode(models: CatalogModels, eventId: number, codeId: number, trx?: Knex.Transaction) {
  const code = await codesOf(models, eventId, trx).findById(codeId);
  if (!code) throw new NotFoundError('Promo code not found');
  return code;
}

/**
 * Codes are the organizer's business (they say who gets what price), so only the event's
 * organizer or an admin reads them, and another organizer learns nothing of them.
 */
export async function listPromoCodes(
  { models, resources }: CatalogRuntime,
  caller: AuthUser,
  { id, skip, limit }: ParamsOf<'catalog.promoCodes.list'>,
): Promise<PageOf<PromoCode>> {
  await resources.db.transaction((trx) => managedEvent(trx, models, caller, id));
  return paginate(codesOf(models, id).orderBy('pc.id'), { skip, limit });
}

export async function getPromoCode(
  { models, resources }: CatalogRuntime,
  caller: AuthUser,
  { id, code_id }: ParamsOf<'catalog.promoCodes.get'>,
): Promise<PromoCode> {
  await resources.db.transaction((trx) => managedEvent(trx, models, caller, id));
  return findCode(models, id, code_id);
}

/** Adds a code to an event the caller manages; the partial unique index answers a second one of its spelling. */
export function createPromoCode(
  runtime: CatalogRuntime,
  caller: AuthUser,
  eventId: number,
  fields: CreateFields,
): Promise<PromoCode> {
  const { models } = runtime;
  return managingEvent(runtime, caller, eventId, async (trx) => {
    const row = await ownTicketTypesRow(trx, eventId, fields);
    const { id } = await checked(models.PromoCode.query(trx).insert({ ...row, event_id: eventId }));
    return findCode(models, eventId, id, trx);
  });
}

/** Changes a code; uses already made stand, and new limits apply to holds from now on. */
export function updatePromoCode(
  runtime: CatalogRuntime,
  caller: AuthUser,
  eventId: number,
  codeId: number,
  fields: UpdateFields,
): Promise<PromoCode> {
  const { models } = runtime;
  return managingEvent(runtime, caller, eventId, async (trx) => {
    const row = await ownTicketTypesRow(trx, eventId, fields);
    const changed = await checked(models.PromoCode.query(trx).patch(row).where({ id: codeId, event_id: eventId }));
    if (changed === 0) throw new NotFoundError('Promo code not found');
    return findCode(models, eventId, codeId, trx);
  });
}

/** Deletes a code: no new order may use it; orders that did keep their discount. */
export async function deletePromoCode(
  runtime: CatalogRuntime,
  caller: AuthUser,
  { id, code_id }: ParamsOf<'catalog.promoCodes.delete'>,
): Promise<void> {
  await managingEvent(runtime, caller, id, async (trx) => {
    const deleted = await runtime.models.PromoCode.query(trx).where({ id: code_id, event_id: id }).softDelete();
    if (deleted === 0) throw new NotFoundError('Promo code not found');
  });
}

type PromoCodeRow = Partial<Omit<PromoCode, 'id' | 'event_id' | 'uses' | 'deleted_at'>>;

function toRow(fields: UpdateFields): PromoCodeRow {
  const { percent_off, amount_off, starts_at, ends_at, ...rest } = fields;
  const money = (value: number | null | undefined) =>
    value === undefined || value === null ? value : toDecimalText(value);
  return {
    ...rest,
    percent_off: money(percent_off),
    amount_off: money(amount_off),
    starts_at: toDateOrNull(starts_at),
    ends_at: toDateOrNull(ends_at),
  };
}

/** The row a code's fields make, once the ticket types it names are found to be the event's own, live ones. */
async function ownTicketTypesRow(trx: Knex.Transaction, eventId: number, fields: UpdateFields): Promise<PromoCodeRow> {
  const row = toRow(fields);
  const errors: FieldError[] = [];
  for (const field of ['ticket_type_ids', 'unlocks_ticket_type_ids'] as const) {
    const ids = row[field];
    if (!ids || ids.length === 0) continue;
    const own = await trx('ticket_types').where('event_id', eventId).whereNull('deleted_at').whereIn('id', ids);
    if (own.length !== ids.length) errors.push({ field, message: "must all be ticket types of this event's" });
  }
  if (errors.length > 0) throw new UnprocessableError('The promo code names ticket types of another event', errors);
  return row;
}

/** Runs a write of a code, answering its constraints' refusals as the client's mistakes. */
async function checked<T>(write: PromiseLike<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (isUniqueViolation(err, PROMO_CODE_UNIQUE_INDEX)) {
      throw new ConflictError('The event already has a promo code of this spelling (codes ignore case)');
    }
    if (isCheckViolation(err, PROMO_CODE_DISCOUNT_CHECK)) {
      throw new UnprocessableError('A promo code takes either a percentage or an amount off', [
        { field: 'percent_off', message: 'exactly one of percent_off and amount_off is required' },
      ]);
    }
    if (isCheckViolation(err, PROMO_CODE_WINDOW_CHECK)) {
      throw new UnprocessableError('A promo code must start before it ends', [
        { field: 'ends_at', message: 'must be after starts_at' },
      ]);
    }
    throw err;
  }
}
