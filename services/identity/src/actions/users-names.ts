import { Type } from '@sinclair/typebox';
import { Id, defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';

/** At most one page of a list: catalog asks once for the organizers of a page of events. */
const UserNamesParams = Type.Object(
  { ids: Type.Array(Id, { minItems: 1, maxItems: 100, uniqueItems: true }) },
  { additionalProperties: false },
);

/**
 * The public names of the given users, for other services to show beside their records. Deleted
 * users are included (an event keeps its organizer's name); ids of no user are left out. For
 * calls between services: it needs no caller, and the gateway routes no URL to it.
 */
export function userNamesAction(identity: IdentityAccess) {
  return defineAction(UserNamesParams, async (ctx) => {
    const users = await identity()
      .models.User.query()
      .withDeleted()
      .select('id', 'firstname', 'surname')
      .whereIn('id', ctx.params.ids)
      .orderBy('id');
    // Plain objects: in embedded mode the caller gets the value itself, not a serialised copy.
    return users.map(({ id, firstname, surname }) => ({ id, firstname, surname }));
  });
}
