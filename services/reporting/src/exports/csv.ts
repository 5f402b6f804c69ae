import { stringify } from 'csv-stringify/sync';
import { iso } from '@ticketpro/shared';

/**
 * CSV text of `rows` in `columns`' order (RFC 4180: fields with commas, quotes or line breaks
 * quoted, quotes doubled), the header line first when `header`. Text starting with `=`, `+`,
 * `-`, `@`, a tab or a carriage return gets a leading `'`, so a spreadsheet shows it rather than
 * running it as a formula (a name like `=HYPERLINK(…)`); numbers are left as they are, and a
 * timestamp is written as ISO 8601 text (`2027-03-01T18:00:00.000Z`, as the API shows it).
 */
export function toCsv<Row extends Record<string, unknown>>(
  columns: readonly (keyof Row & string)[],
  rows: Row[],
  header: boolean,
): string {
  return stringify(rows, {
    columns: [...columns],
    header,
    escape_formulas: true,
    record_delimiter: 'windows',
    cast: { date: iso },
  });
}
