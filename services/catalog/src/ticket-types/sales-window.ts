import { UnprocessableError, isCheckViolation } from '@ticketpro/shared';
import { SALES_WINDOW_CHECK } from '../models/constants';

/**
 * Runs a write that may set a sales window. The CHECK constraint compares the row's values as
 * written, so a change to only one end is checked against the other, even under racing updates.
 */
export async function withSalesWindow<T>(write: PromiseLike<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (isCheckViolation(err, SALES_WINDOW_CHECK)) {
      throw new UnprocessableError('Sales must start before they end', [
        { field: 'sales_end', message: 'must be after sales_start' },
      ]);
    }
    throw err;
  }
}
