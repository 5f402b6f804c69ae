import { Type, type TObject, type TOptional, type TProperties } from '@sinclair/typebox';

export const Id = Type.Integer({ minimum: 1, maximum: 2147483647, description: 'Positive integer id', examples: [42] });

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });

/**
 * An update action's params: the id from the path and the body's changes, at least one of them
 * (the gateway merges the two; other callers send them together).
 */
export const IdAndChanges = <T extends TProperties>(body: TObject<T>) =>
  Type.Object(
    { id: Id, ...body.properties },
    { additionalProperties: false, minProperties: 2, errorMessage: 'at least one field to change is required' },
  );

/** An action's params for a route under `/{id}`: the path's id and the body's (or query's) fields, merged by the gateway. */
export const IdAnd = <T extends TProperties>(body: TObject<T>) =>
  Type.Object({ id: Id, ...body.properties }, { additionalProperties: false });

/** Each of `Fields` as it is where it is `Required`, and optional where not. */
type RequiredOrOptional<Fields extends TProperties, Required extends keyof Fields> = {
  [K in keyof Fields]: K extends Required ? Fields[K] : TOptional<Fields[K]>;
};

/**
 * A create body from a resource's field rules (the same ones its update body takes, all optional
 * there): the fields `required` names must be sent, the others may be, and nothing else is taken.
 * `leading` are fields before them that only creation takes (the parent's id).
 */
export function CreateBody<
  Fields extends TProperties,
  Required extends keyof Fields & string,
  Leading extends TProperties = {},
>(fields: Fields, required: readonly Required[], leading: Leading = {} as Leading) {
  const properties = Object.fromEntries(
    Object.entries(fields).map(([name, rule]) => [
      name,
      (required as readonly string[]).includes(name) ? rule : Type.Optional(rule),
    ]),
  ) as RequiredOrOptional<Fields, Required>;
  return Type.Object({ ...leading, ...properties }, { additionalProperties: false });
}

/** For actions that take nothing: anything sent along is refused rather than ignored. */
export const NoParams = Type.Object({}, { additionalProperties: false });

export const Timestamp = Type.String({ format: 'date-time' });

/** When a stored resource was made and last changed, the last two fields of its view. */
export const AuditTimestamps = { created_at: Timestamp, updated_at: Timestamp };

/** A calendar date (`2027-03-01`) or a timestamp with zone, for date filters. */
export const DateOrTimestamp = Type.Union([Type.String({ format: 'date-time' }), Type.String({ format: 'date' })], {
  errorMessage: 'must be a date (YYYY-MM-DD) or an ISO 8601 timestamp with zone',
});

/** Non-blank text of bounded length. */
export const Text = (minLength: number, maxLength: number) =>
  Type.String({
    minLength,
    maxLength,
    pattern: '\\S',
    errorMessage: `must be ${minLength}-${maxLength} characters, not blank`,
  });

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'Problem type URI (urn:ticketpro:problem:<kind>)' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.String(),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String() }, { additionalProperties: false })),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details', additionalProperties: true },
);

export const MessageSchema = Type.Object({ message: Type.String() }, { additionalProperties: false });

/** The answer of an action whose success says nothing more (its route answers 204). */
export const NoContent = Type.Null();

/** An event's payload when the thing is gone: its id, and what consumers need to find it. */
export const RemovedFacts = <Extra extends TProperties = {}>(extra: Extra = {} as Extra) =>
  Type.Object({ id: Type.Integer({ minimum: 1 }), ...extra }, { additionalProperties: false });
