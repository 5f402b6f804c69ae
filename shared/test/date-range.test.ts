import { dateRangeConditions } from '@ticketpro/shared';

describe('dateRangeConditions', () => {
  it('is empty without filters', () => {
    expect(dateRangeConditions()).toEqual([]);
  });

  it('reads a calendar date as the whole day in UTC', () => {
    expect(dateRangeConditions('2027-03-01', '2027-03-01')).toEqual([
      ['>=', '2027-03-01T00:00:00.000Z'],
      ['<', '2027-03-02T00:00:00.000Z'],
    ]);
  });

  it('crosses month and year ends, and leap days', () => {
    expect(dateRangeConditions(undefined, '2028-02-28')).toEqual([['<', '2028-02-29T00:00:00.000Z']]);
    expect(dateRangeConditions(undefined, '2027-12-31')).toEqual([['<', '2028-01-01T00:00:00.000Z']]);
  });

  it('takes a timestamp as the instant, bounds included', () => {
    expect(dateRangeConditions('2027-03-01T18:00:00+02:00', '2027-03-02T06:00:00Z')).toEqual([
      ['>=', '2027-03-01T18:00:00+02:00'],
      ['<=', '2027-03-02T06:00:00Z'],
    ]);
  });
});
