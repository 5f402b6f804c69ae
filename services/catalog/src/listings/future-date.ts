import { UnprocessableError } from '@ticketpro/shared';

/** Events are published ahead of time: a date that has passed is refused. */
export function assertFutureDate(date: string): void {
  if (Date.parse(date) <= Date.now()) {
    throw new UnprocessableError('The event date must be in the future', [
      { field: 'date', message: 'must be in the future' },
    ]);
  }
}
