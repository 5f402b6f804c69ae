import type { PaymentStatus } from '@ticketpro/shared';

/** The statuses of an order that was paid: its money counts, less what was refunded. */
export const PAID_STATUSES = ['completed', 'partially_refunded', 'refunded'] as const satisfies PaymentStatus[];

/** The statuses of an order whose money is (partly) kept: it counts as an order sold. */
export const KEPT_STATUSES = ['completed', 'partially_refunded'] as const satisfies PaymentStatus[];
