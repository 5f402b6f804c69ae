/** How messages and PDFs show dates and money. */
export interface Formatting {
  timeZone: string;
  date(value: Date | string): string;
  money(amount: string, currency: string): string;
}

/**
 * Dates in `timeZone` (an IANA name, `MAIL_TIME_ZONE`), written out with the zone's name so that a
 * reader elsewhere knows which clock it is; a zone the runtime does not know fails here, at start.
 */
export function formatting(timeZone: string): Formatting {
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
  return {
    timeZone,
    date: (value) => format.format(new Date(value)),
    money: (amount, currency) => `${currency} ${amount}`,
  };
}
