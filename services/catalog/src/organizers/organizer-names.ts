import { call, type RequestContext } from '@ticketpro/shared';
import type { CatalogModels } from '../models';
import type { OrganizerView } from '../views/event-view';

export type OrganizerNames = Map<number, OrganizerView>;

/**
 * The public names of the given organizers, from the projection. Names it does not have yet
 * (an account registered a moment ago, whose event is still on its way) are asked of identity
 * in one call, and kept.
 */
export async function organizerNames(
  ctx: RequestContext<unknown>,
  models: CatalogModels,
  ids: number[],
): Promise<OrganizerNames> {
  const wanted = [...new Set(ids)];
  const names: OrganizerNames = new Map();
  if (wanted.length === 0) return names;
  for (const { id, firstname, surname } of await models.Organizer.query().whereIn('id', wanted)) {
    names.set(id, { id, firstname, surname });
  }
  const missing = wanted.filter((id) => !names.has(id));
  if (missing.length > 0) {
    for (const organizer of await readRepair(ctx, models, missing)) names.set(organizer.id, organizer);
  }
  return names;
}

/** An organizer identity could not name is shown by id alone rather than failing the read. */
export function organizerOf(names: OrganizerNames, id: number): OrganizerView {
  return names.get(id) ?? { id, firstname: '', surname: '' };
}

async function readRepair(
  ctx: RequestContext<unknown>,
  models: CatalogModels,
  ids: number[],
): Promise<OrganizerView[]> {
  // Taken before asking: a change identity makes after this moment must still win when its event arrives.
  const asOf = new Date();
  let answer: OrganizerView[];
  try {
    answer = await call(ctx, 'identity.users.names', { ids });
  } catch (err) {
    ctx.locals.logger.warn({ err, ids }, 'organizer names unavailable from identity; answering without them');
    return [];
  }
  const found = answer.map(({ id, firstname, surname }) => ({ id, firstname, surname }));
  if (found.length > 0) {
    // A row that arrived meanwhile came from an event, which knows its own time: it stays.
    await models.Organizer.query()
      .insert(found.map((organizer) => ({ ...organizer, as_of: asOf })))
      .onConflict('id')
      .ignore();
  }
  return found;
}
