import type { Knex } from 'knex';
import { projectUserEvent, type UserEvent } from '@ticketpro/shared';

/** Keeps one recipient's address and names in step; a deleted account is sent nothing more. */
export function applyUserEvent(trx: Knex.Transaction, envelope: UserEvent): Promise<void> {
  return projectUserEvent(trx, 'recipients', envelope);
}
