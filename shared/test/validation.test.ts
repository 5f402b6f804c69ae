import { Type } from '@sinclair/typebox';
import { createAjv, formatAjvErrors, MAX_SKIP, PageQuery, withWellFormedText } from '@ticketpro/shared';

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

  it.each(['Infinity', '1e20', '99999999999999999999', String(MAX_SKIP + 1)])(
    'refuses skip=%s, which JSON Schema counts as an integer but Postgres cannot offset by',
    (skip) => {
      expect(errorsOf(Type.Object(PageQuery), { skip }, true)).toEqual([
        { field: 'skip', message: `must be <= ${MAX_SKIP}` },
      ]);
    },
  );

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
    expect(
      errorsOf(Order, {
        event_id: 1,
        items: [
          { ticket_type_id: 2, quantity: 0 },
          { quantity: 1, seat: 'A1' },
        ],
      }),
    ).toEqual([
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
    expect(errorsOf(Order, { ...valid, note: 'far too long' })).toEqual([
      { field: 'note', message: 'must be a short note' },
    ]);
  });

  it('calls an error about the whole body "(body)"', () => {
    expect(errorsOf(Order, 'not an object')).toEqual([{ field: '(body)', message: 'must be object' }]);
  });

  it('reports each field once even when a rule fails twice', () => {
    const Twice = Type.Object({
      code: Type.String({ minLength: 3, pattern: '^[a-z]+$', errorMessage: 'must be 3+ lowercase letters' }),
    });
    expect(errorsOf(Twice, { code: 'A' })).toEqual([{ field: 'code', message: 'must be 3+ lowercase letters' }]);
  });
});

describe('withWellFormedText', () => {
  const Body = Type.Object(
    {
      name: Type.String(),
      tags: Type.Optional(Type.Array(Type.String())),
      seat: Type.Optional(Type.Object({ row: Type.String() })),
      count: Type.Optional(Type.Integer()),
    },
    { additionalProperties: false },
  );
  const errorsOfChecked = (value: unknown) => {
    const validate = withWellFormedText(createAjv({ coerce: false }).compile(Body));
    return validate(value) ? [] : formatAjvErrors(validate.errors ?? []);
  };
  const NUL = 'must not contain NUL (U+0000) characters';
  const LONE = 'must not contain unpaired UTF-16 surrogates';

  it('passes text that is well formed, paired surrogates (emoji) included', () => {
    expect(errorsOfChecked({ name: 'Mbira \ud83c\udfb6 night', tags: ['a'], seat: { row: 'B' } })).toEqual([]);
  });

  it('names every string holding a NUL, at any depth', () => {
    expect(errorsOfChecked({ name: 'a\u0000b', tags: ['ok', '\u0000'], seat: { row: 'x\u0000' } })).toEqual([
      { field: 'name', message: NUL },
      { field: 'tags.1', message: NUL },
      { field: 'seat.row', message: NUL },
    ]);
  });

  it.each([
    ['a lone high surrogate', '\ud83c'],
    ['a lone low surrogate', '\udfb6x'],
    ['a pair the wrong way round', '\udfb6\ud83c'],
  ])('refuses %s', (_what, name) => {
    expect(errorsOfChecked({ name })).toEqual([{ field: 'name', message: LONE }]);
  });

  it("adds its errors to the schema's own", () => {
    expect(errorsOfChecked({ name: '\u0000', count: 'x' })).toEqual([
      { field: 'count', message: 'must be integer' },
      { field: 'name', message: NUL },
    ]);
  });

  it('refuses a field name holding a NUL', () => {
    expect(errorsOfChecked({ name: 'a', 'x\u0000': 1 })).toEqual([
      { field: 'x\u0000', message: 'is not allowed' },
      { field: '(body)', message: `has a field name that ${NUL}` },
    ]);
  });

  it('walks a deeply nested value without overflowing the stack', () => {
    let deep: unknown = '\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const errors = errorsOfChecked({ name: 'a', tags: deep });
    expect(errors).toEqual(expect.arrayContaining([expect.objectContaining({ message: NUL })]));
  });
});
