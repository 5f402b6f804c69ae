/**
 * A price as the exact decimal text Postgres stores in NUMERIC(12,2). The schema allows at most
 * two decimals, so this only writes out the cents the client meant (19.99 → "19.99").
 */
export function toNumericText(price: number): string {
  return price.toFixed(2);
}
