import { Type, type TSchema } from '@sinclair/typebox';
import type { QueryBuilder, Model } from 'objection';

/**
 * The deepest a list may be paged. Far beyond any real listing; it keeps `OFFSET` a number
 * Postgres takes (`Infinity` or `1e20` passed JSON Schema's `integer` and failed as a 500).
 */
export const MAX_SKIP = 1_000_000;

export const PageQuery = {
  skip: Type.Integer({ minimum: 0, maximum: MAX_SKIP, default: 0, description: `Rows to skip (0..${MAX_SKIP})` }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size (1..100)' }),
};

export interface PageParams {
  skip: number;
  limit: number;
}

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    total: Type.Integer({ minimum: 0 }),
    skip: Type.Integer({ minimum: 0 }),
    limit: Type.Integer({ minimum: 1 }),
    has_next: Type.Boolean(),
    has_prev: Type.Boolean(),
  });

export type PageOf<T> = {
  items: T[];
  total: number;
  skip: number;
  limit: number;
  has_next: boolean;
  has_prev: boolean;
};

export function pageOf<T>(items: T[], total: number, { skip, limit }: PageParams): PageOf<T> {
  return { items, total, skip, limit, has_next: skip + items.length < total, has_prev: skip > 0 };
}

/** Runs the count and the page of one query. Ordering belongs to the caller's query. */
export async function paginate<M extends Model>(query: QueryBuilder<M, M[]>, params: PageParams): Promise<PageOf<M>> {
  const total = await query.clone().resultSize();
  const items = await query.clone().offset(params.skip).limit(params.limit);
  return pageOf(items, total, params);
}
