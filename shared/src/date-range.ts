const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 24 * 60 * 60 * 1000;

export type DateCondition = ['>=' | '<' | '<=', string];

/**
 * The conditions on a timestamp column for a `from_date`/`to_date` filter. A calendar date means
 * the whole day in UTC: from its first instant, up to (not including) the next day's.
 */
export function dateRangeConditions(fromDate?: string, toDate?: string): DateCondition[] {
  const conditions: DateCondition[] = [];
  if (fromDate !== undefined) conditions.push(['>=', startOf(fromDate)]);
  if (toDate !== undefined) {
    conditions.push(
      CALENDAR_DATE.test(toDate) ? ['<', new Date(Date.parse(startOf(toDate)) + DAY_MS).toISOString()] : ['<=', toDate],
    );
  }
  return conditions;
}

function startOf(value: string): string {
  return CALENDAR_DATE.test(value) ? `${value}T00:00:00.000Z` : value;
}
