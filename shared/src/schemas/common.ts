import { Type } from '@sinclair/typebox';

export const Id = Type.Integer({ minimum: 1, maximum: 2147483647, description: 'Positive integer id' });

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });

export const Timestamp = Type.String({ format: 'date-time' });

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
