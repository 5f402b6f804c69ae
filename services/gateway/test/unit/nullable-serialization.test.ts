import { build } from 'fast-json-stringify';
import { Type } from '@sinclair/typebox';
import { withNullableForSerialization } from '../../src/plugins/nullable-serialization';

const Nullable = Type.Object({
  id: Type.Integer(),
  image: Type.Union([Type.String(), Type.Null()]),
  capacity: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'Seats' }),
  sales_start: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  kinds: Type.Array(Type.Union([Type.Literal('a'), Type.Literal('b')])),
});

describe('withNullableForSerialization', () => {
  it('writes a union with null as its other branch made nullable, siblings kept', () => {
    const rewritten = withNullableForSerialization(Nullable) as unknown as {
      properties: Record<string, object>;
    };
    expect(rewritten.properties.image).toEqual({ type: 'string', nullable: true });
    expect(rewritten.properties.capacity).toEqual({
      type: 'integer',
      minimum: 1,
      description: 'Seats',
      nullable: true,
    });
    expect(rewritten.properties.sales_start).toEqual({ type: 'string', format: 'date-time', nullable: true });
  });

  it('leaves other unions, references and the schema it was given as they are', () => {
    const withRef = { anyOf: [{ $ref: 'Organizer' }, { type: 'null' }] };
    const before = JSON.stringify(Nullable);
    const rewritten = withNullableForSerialization(Nullable) as unknown as { properties: Record<string, object> };
    expect(rewritten.properties.kinds).toEqual(JSON.parse(JSON.stringify(Nullable.properties.kinds)));
    expect(withNullableForSerialization(withRef)).toEqual(withRef);
    expect(JSON.stringify(Nullable)).toBe(before);
  });

  it('serializes what the union did, nulls and values alike', () => {
    const asUnion = build(Nullable);
    const asNullable = build(withNullableForSerialization(Nullable));
    for (const value of [
      { id: 1, image: null, capacity: null, sales_start: null, kinds: ['a'] },
      { id: 2, image: 'x.png', capacity: 500, sales_start: '2027-01-01T10:00:00.000Z', kinds: [] },
      { id: 3, image: 'y"\u2028', capacity: 1, kinds: ['b', 'a'], extra: 'dropped' },
    ]) {
      expect(asNullable(value)).toBe(asUnion(value));
    }
  });
});
