import type { RuntimeAccess, ServiceRuntime } from '@ticketpro/shared';
import type { OrderingModels } from './models';
import type { PaymentProvider } from './payments/provider';
import type { OrderIds } from './orders/order-ids';

/** What a started ordering instance works with; actions reach it through `OrderingAccess`. */
export type OrderingRuntime = ServiceRuntime & {
  models: OrderingModels;
  provider: PaymentProvider;
  orderIds: OrderIds;
};

export type OrderingAccess = RuntimeAccess<OrderingRuntime>;
