import { Type } from '@sinclair/typebox';
import { createAjv, formatAjvErrors, PageQuery } from '@ticketpro/shared';

/** Validates `value` against `schema` and answers the formatted errors (empty when valid). */
function errorsOf(schema: object, value: unknown, coerce = false) {
  const validate = createAjv({ coerce }).compile(schema);
  return validate(value) ? [] : formatAjvErrors(validate.errors ?? []);
}

describe('createAjv', () => {
  const Query = Type.Object({ ...PageQuery, active: Type.Optional(Type.Boolean()) });

  it('coerces query-string values when asked', () => {
    const validate = createAjv({ coerce: true }).compile(Query);
    const query: Record<string, unknown> = { skip: '40', limit: '10', active: 'true' };
    expect(validate(query)).toBe(true);
    expect(query).toEqual({ skip: 40, limit: 10, active: true });
  });

  it('does not coerce bodies: a string is not a number', () => {
    expect(errorsOf(Query, { skip: '40', active: 'true' })).toEqual([
      { field: 'skip', message: 'must be integer' },
      { field: 'active', message: 'must be boolean' },
    ]);
  });

  it('fills defaults', () => {
    const query: Record<string, unknown> = {};
    expect(createAjv({ coerce: true }).compile(Query)(query)).toBe(true);
    expect(query).toEqual({ skip: 0, limit: 20 });
  });

  it('knows the formats the contract uses', () => {
    const Schema = Type.Object({ at: Type.String({ format: 'date-time' }), image: Type.String({ format: 'uri' }) });
    expect(errorsOf(Schema, { at: '2027-03-01T18:00:00.000Z', image: 'https://example.com/a.png' })).toEqual([]);
    expect(errorsOf(Schema, { at: 'tomorrow', image: 'not a url' })).toEqual([
      { field: 'at', message: 'must match format "date-time"' },
      { field: 'image', message: 'must match format "uri"' },
    ]);
  });
});

describe('formatAjvErrors', () => {
  const Order = Type.Object(
    {
      event_id: Type.Integer({ minimum: 1 }),
      items: Type.Array(
        Type.Object(
          { ticket_type_id: Type.Integer({ minimum: 1 }), quantity: Type.Integer({ minimum: 1 }) },
          { additionalProperties: false },
        ),
      ),
      payment_method: Type.Optional(Type.Union([Type.Literal('cash'), Type.Literal('paypal')])),
      note: Type.Optional(Type.String({ maxLength: 5, errorMessage: 'must be a short note' })),
    },
    { additionalProperties: false },
  );
  const valid = { event_id: 1, items: [{ ticket_type_id: 2, quantity: 1 }] };

  it('names a missing field', () => {
    expect(errorsOf(Order, { items: [] })).toEqual([{ field: 'event_id', message: 'is required' }]);
  });

  it('names an unknown field', () => {
    expect(errorsOf(Order, { ...valid, user_id: 7 })).toEqual([{ field: 'user_id', message: 'is not allowed' }]);
  });

  it('gives nested fields as dotted paths', () => {
    expect(errorsOf(Order, { event_id: 1, items: [{ ticket_type_id: 2, quantity: 0 }, { quantity: 1, seat: 'A1' }] })).toEqual([
      { field: 'items.0.quantity', message: 'must be >= 1' },
      { field: 'items.1.ticket_type_id', message: 'is required' },
      { field: 'items.1.seat', message: 'is not allowed' },
    ]);
  });

  it('lists the choices of a union of literals once, without one error per branch', () => {
    expect(errorsOf(Order, { ...valid, payment_method: 'bitcoin' })).toEqual([
      { field: 'payment_method', message: 'must be one of: cash, paypal' },
    ]);
  });

  it("uses the schema's errorMessage when it has one", () => {
    expect(errorsOf(Order, { ...valid, note: 'far too long' })).toEqual([{ field: 'note', message: 'must be a short note' }]);
  });

  it('calls an error about the whole body "(body)"', () => {
    expect(errorsOf(Order, 'not an object')).toEqual([{ field: '(body)', message: 'must be object' }]);
  });

  it('reports each field once even when a rule fails twice', () => {
    const Twice = Type.Object({ code: Type.String({ minLength: 3, pattern: '^[a-z]+$', errorMessage: 'must be 3+ lowercase letters' }) });
    expect(errorsOf(Twice, { code: 'A' })).toEqual([{ field: 'code', message: 'must be 3+ lowercase letters' }]);
  });
});
