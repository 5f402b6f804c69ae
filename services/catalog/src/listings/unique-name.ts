import { ConflictError, isUniqueViolation } from '@ticketpro/shared';
import { EVENT_NAME_UNIQUE_INDEX } from '../models/constants';

/**
 * Runs a write that sets an event's name. The partial unique index decides between two live
 * events of one name, so the loser of two racing writes gets the 409 too.
 */
export async function withUniqueName<T>(write: PromiseLike<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (isUniqueViolation(err, EVENT_NAME_UNIQUE_INDEX))
      throw new ConflictError('An event with this name already exists');
    throw err;
  }
}
