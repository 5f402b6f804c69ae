import { isRepeatableCall } from '../src/contracts/repeatable';

describe('isRepeatableCall: what may be sent again after a timeout', () => {
  it('repeats reads', () => {
    expect(isRepeatableCall('catalog.events.get', { id: 1 })).toBe(true);
    expect(isRepeatableCall('identity.me', {})).toBe(true);
  });

  it('repeats a write only with the param it is idempotent on', () => {
    expect(isRepeatableCall('catalog.inventory.hold', { order_id: 7 })).toBe(true);
    expect(isRepeatableCall('ordering.orders.create', { event_id: 1, idempotency_key: 'k-1' })).toBe(true);
    expect(isRepeatableCall('ordering.orders.create', { event_id: 1 })).toBe(false);
    expect(isRepeatableCall('ordering.orders.pay', { id: 3, idempotency_key: null })).toBe(false);
  });

  it('repeats a write whose contract says why a repeat is harmless, and no other', () => {
    expect(isRepeatableCall('identity.login', { email: 'a@example.com', password: 'x' })).toBe(true);
    expect(isRepeatableCall('identity.register', { email: 'a@example.com' })).toBe(false);
    expect(isRepeatableCall('identity.refresh', { refresh_token: 't' })).toBe(false);
    expect(isRepeatableCall('ticketing.validation.checkin', { code: 'c' })).toBe(false);
  });

  it('repeats nothing no contract describes', () => {
    expect(isRepeatableCall('$node.list', {})).toBe(false);
    expect(isRepeatableCall('catalog.nothing.here', {})).toBe(false);
  });
});
