import type { Config, PaymentMethod } from '@ticketpro/shared';
import type { PaymentProvider, ProviderName } from './provider';
import { TestPaymentProvider } from './test-provider';
import { StripePaymentProvider, type StripeApiOptions } from './stripe-provider';
import { PaynowPaymentProvider } from './paynow/paynow-provider';
import { CashPaymentProvider } from './cash-provider';

/** The methods Paynow serves once it is configured. */
const PAYNOW_METHODS: PaymentMethod[] = ['ecocash', 'onemoney', 'paynow'];

/** Every provider this instance can reach, and which one an order's payment goes through. */
export interface PaymentProviders {
  /** The provider a buyer's payment of an order with this method goes through. */
  forMethod(method: PaymentMethod): PaymentProvider;
  /** The provider a ledger row names (its refunds go back through it), if it is configured here. */
  named(name: string): PaymentProvider | undefined;
}

/**
 * Cards and the rest: `PAYMENT_PROVIDER` when set; otherwise Stripe when `STRIPE_SECRET_KEY` is
 * set, and the test provider outside production. Production with neither refuses to start
 * rather than take no money. With `PAYNOW_INTEGRATION_ID` set, `ecocash`, `onemoney` and
 * `paynow` orders go through Paynow. Cash is always there: organizers record it at the door.
 */
export function selectPaymentProviders(config: Config, stripeApi?: StripeApiOptions): PaymentProviders {
  const name =
    config.PAYMENT_PROVIDER ??
    (config.STRIPE_SECRET_KEY ? 'stripe' : config.NODE_ENV === 'production' ? undefined : 'test');
  if (name === undefined) {
    throw new Error('No payment provider: set STRIPE_SECRET_KEY, or PAYMENT_PROVIDER=test to take no money');
  }
  if (name === 'stripe' && !config.STRIPE_SECRET_KEY)
    throw new Error('PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY');
  const main: PaymentProvider =
    name === 'test'
      ? new TestPaymentProvider()
      : new StripePaymentProvider(config.STRIPE_SECRET_KEY!, config.STRIPE_WEBHOOK_SECRET, stripeApi);
  const paynow = paynowFrom(config);
  const all = new Map<ProviderName, PaymentProvider>([
    [main.name, main],
    ['cash', new CashPaymentProvider()],
  ]);
  if (paynow) all.set('paynow', paynow);
  return {
    forMethod: (method) => {
      if (method === 'cash') return all.get('cash')!;
      return paynow && PAYNOW_METHODS.includes(method) ? paynow : main;
    },
    named: (provider) => all.get(provider as ProviderName),
  };
}

function paynowFrom(config: Config): PaynowPaymentProvider | undefined {
  if (!config.PAYNOW_INTEGRATION_ID) return undefined;
  const missing = (['PAYNOW_INTEGRATION_KEY', 'PAYNOW_RESULT_URL', 'PAYNOW_RETURN_URL'] as const).filter(
    (key) => !config[key],
  );
  if (missing.length > 0) throw new Error(`PAYNOW_INTEGRATION_ID needs ${missing.join(', ')}`);
  const notUrls = (['PAYNOW_API_URL', 'PAYNOW_RESULT_URL', 'PAYNOW_RETURN_URL'] as const).filter(
    (key) => !URL.canParse(config[key]!),
  );
  if (notUrls.length > 0) throw new Error(`Not an absolute URL: ${notUrls.join(', ')}`);
  return new PaynowPaymentProvider({
    integrationId: config.PAYNOW_INTEGRATION_ID,
    integrationKey: config.PAYNOW_INTEGRATION_KEY!,
    apiUrl: config.PAYNOW_API_URL,
    resultUrl: config.PAYNOW_RESULT_URL!,
    returnUrl: config.PAYNOW_RETURN_URL!,
  });
}
