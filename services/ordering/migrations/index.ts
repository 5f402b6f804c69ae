import type { Migration } from '@ticketpro/shared';
import * as createOutbox from './001_create_outbox';
import * as createOrders from './002_create_orders';
import * as createPayments from './003_create_payments';
import * as createIdempotencyKeys from './004_create_idempotency_keys';
import * as createAddedUnits from './005_create_added_units';
import * as createRemovedUnits from './006_create_removed_units';
import * as addIdempotencyLease from './007_add_idempotency_lease';
import * as createProcessedEvents from './008_create_processed_events';
import * as createClosedEvents from './009_create_closed_events';
import * as createPaymentLedger from './010_create_payment_ledger';
import * as addOrderDiscounts from './011_add_order_discounts';
import * as addPaymentAttemptDetails from './012_add_payment_attempt_details';
import * as addClaimHolders from './013_add_claim_holders';

/** Ordering's schema history, oldest first. */
export const migrations: Migration[] = [
  createOutbox,
  createOrders,
  createPayments,
  createIdempotencyKeys,
  createAddedUnits,
  createRemovedUnits,
  addIdempotencyLease,
  createProcessedEvents,
  createClosedEvents,
  createPaymentLedger,
  addOrderDiscounts,
  addPaymentAttemptDetails,
  addClaimHolders,
];
