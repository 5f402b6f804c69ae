import { eventNameOf, eventType, EVENT_TYPE_PREFIX, verdictOn } from '@ticketpro/shared';

const updated = (dataversion: number) => ({ type: eventType('identity.user.updated'), dataversion });

describe('verdictOn: what a consumer does with an event, by its version', () => {
  it('handles a version it reads', () => {
    expect(verdictOn({ 'identity.user.updated': [1, 2] }, updated(1))).toBe('handle');
    expect(verdictOn({ 'identity.user.updated': [1, 2] }, updated(2))).toBe('handle');
  });

  it('leaves a newer version than any it reads to wait for a consumer that reads it', () => {
    expect(verdictOn({ 'identity.user.updated': [1] }, updated(2))).toBe('wait');
  });

  it('skips an older version it no longer reads, or one between those it reads', () => {
    expect(verdictOn({ 'identity.user.updated': [2] }, updated(1))).toBe('skip');
    expect(verdictOn({ 'identity.user.updated': [1, 3] } as never, updated(2))).toBe('skip');
  });

  it('ignores events it does not follow, and types no catalogue has', () => {
    expect(
      verdictOn({ 'identity.user.updated': [2] }, { type: eventType('identity.user.deleted'), dataversion: 1 }),
    ).toBe('ignore');
    expect(verdictOn({ 'identity.user.updated': [2] }, { type: 'ticketpro.nobody.thing.done', dataversion: 1 })).toBe(
      'ignore',
    );
  });
});

describe('event types', () => {
  it('are the one prefix, a dot and the name, and give the name back', () => {
    expect(EVENT_TYPE_PREFIX).toBe('ticketpro');
    expect(eventType('ordering.order.paid')).toBe('ticketpro.ordering.order.paid');
    expect(eventNameOf(eventType('ordering.order.paid'))).toBe('ordering.order.paid');
  });
});
