import { publishedRouteSchema, publishedSchema } from '../../src/plugins/published-schemas';

describe('published schemas', () => {
  const validated = {
    type: 'object',
    errorMessage: 'at least one field to change is required',
    properties: {
      // A field that happens to share the keyword's name is data, and stays.
      errorMessage: { type: 'string', minLength: 1, errorMessage: 'must not be empty' },
      password: { type: 'string', allOf: [{ pattern: '\\p{Lu}', errorMessage: 'needs an uppercase letter' }] },
      tags: { type: 'array', items: { type: 'string', errorMessage: 'must be text' }, examples: [['errorMessage']] },
    },
  };

  it('drops the validator-only keyword at every depth and keeps everything else', () => {
    expect(publishedSchema(validated)).toEqual({
      type: 'object',
      properties: {
        errorMessage: { type: 'string', minLength: 1 },
        password: { type: 'string', allOf: [{ pattern: '\\p{Lu}' }] },
        tags: { type: 'array', items: { type: 'string' }, examples: [['errorMessage']] },
      },
    });
  });

  it('leaves the schema the validator uses as it was', () => {
    const before = JSON.stringify(validated);
    publishedSchema(validated);
    expect(JSON.stringify(validated)).toBe(before);
  });

  it("publishes a route's body, params, headers and responses, and media types within them", () => {
    const published = publishedRouteSchema({
      body: { content: { 'application/json': { schema: validated.properties.password } } },
      params: { type: 'object', properties: { id: { type: 'integer', errorMessage: 'must be an id' } } },
      response: { 200: { ...validated.properties.tags, description: 'The tags' } },
    });
    expect(JSON.stringify(published)).not.toContain('"errorMessage":"');
    expect(published.response).toEqual({
      200: { type: 'array', items: { type: 'string' }, examples: [['errorMessage']], description: 'The tags' },
    });
  });

  it('shows the example of a response that is a shared schema on its media type', () => {
    const published = publishedRouteSchema({
      response: { 200: { $ref: 'User#', description: 'The user', examples: [{ id: 42 }] } },
    });
    expect(published.response).toEqual({
      200: {
        description: 'The user',
        content: { 'application/json': { schema: { $ref: 'User#' }, example: { id: 42 } } },
      },
    });
  });
});
