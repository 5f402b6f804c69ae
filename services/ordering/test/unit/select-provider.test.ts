import { loadConfig } from '@ticketpro/shared';
import { selectPaymentProviders } from '../../src/payments/select-provider';

const PAYNOW = {
  PAYNOW_INTEGRATION_ID: '1201',
  PAYNOW_INTEGRATION_KEY: '3e9fed89-60e1-4ce5-ab6e-6b1eb2d4f977',
  PAYNOW_RESULT_URL: 'https://tickets.example.com/api/v1/payments/webhooks/paynow',
  PAYNOW_RETURN_URL: 'https://tickets.example.com/paid',
};
const providersFor = (env: Record<string, string>) => selectPaymentProviders(loadConfig({ NODE_ENV: 'test', ...env }));

describe('which provider pays an order', () => {
  it('sends ecocash, onemoney and paynow orders through Paynow once an integration id is set', () => {
    const providers = providersFor(PAYNOW);
    for (const method of ['ecocash', 'onemoney', 'paynow'] as const)
      expect(providers.forMethod(method).name).toBe('paynow');
    expect(providers.forMethod('credit_card').name).toBe('test');
    expect(providers.forMethod('cash').name).toBe('cash');
    expect(providers.named('paynow')?.poll).toBeDefined();
  });

  it('leaves every method but cash to the card provider without Paynow', () => {
    const providers = providersFor({});
    expect(providers.forMethod('ecocash').name).toBe('test');
    expect(providers.forMethod('cash').name).toBe('cash');
    expect(providers.named('paynow')).toBeUndefined();
  });

  it('refuses to start with an integration id but no key, result URL or return URL', () => {
    for (const missing of ['PAYNOW_INTEGRATION_KEY', 'PAYNOW_RESULT_URL', 'PAYNOW_RETURN_URL'] as const) {
      const env = Object.fromEntries(Object.entries(PAYNOW).filter(([key]) => key !== missing));
      expect(() => providersFor(env)).toThrow(`PAYNOW_INTEGRATION_ID needs ${missing}`);
    }
  });

  it('refuses to start with a Paynow URL that is not absolute', () => {
    expect(() => providersFor({ ...PAYNOW, PAYNOW_RETURN_URL: '/paid' })).toThrow(
      'Not an absolute URL: PAYNOW_RETURN_URL',
    );
    expect(() => providersFor({ ...PAYNOW, PAYNOW_API_URL: 'www.paynow.co.zw' })).toThrow(
      'Not an absolute URL: PAYNOW_API_URL',
    );
  });
});
