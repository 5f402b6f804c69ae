import type { Config } from '@ticketpro/shared';
import type { PaymentProvider } from './provider';
import { TestPaymentProvider } from './test-provider';
import { StripePaymentProvider, type StripeApiOptions } from './stripe-provider';

/**
 * `PAYMENT_PROVIDER` when set; otherwise Stripe when `STRIPE_SECRET_KEY` is set, and the test
 * provider outside production. Production with neither refuses to start rather than take no money.
 */
export function selectPaymentProvider(config: Config, stripeApi?: StripeApiOptions): PaymentProvider {
  const name =
    config.PAYMENT_PROVIDER ??
    (config.STRIPE_SECRET_KEY ? 'stripe' : config.NODE_ENV === 'production' ? undefined : 'test');
  if (name === undefined) {
    throw new Error('No payment provider: set STRIPE_SECRET_KEY, or PAYMENT_PROVIDER=test to take no money');
  }
  if (name === 'test') return new TestPaymentProvider();
  if (!config.STRIPE_SECRET_KEY) throw new Error('PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY');
  return new StripePaymentProvider(config.STRIPE_SECRET_KEY, config.STRIPE_WEBHOOK_SECRET, stripeApi);
}
