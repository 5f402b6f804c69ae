import type { RuntimeAccess, ServiceRuntime } from '@ticketpro/shared';
import type { OrderingModels } from './models';
import type { PaymentProviders } from './payments/select-provider';
import type { OrderIds } from './orders/order-ids';

/** What a started ordering instance works with; actions reach it through `OrderingAccess`. */
export type OrderingRuntime = ServiceRuntime & {
  models: OrderingModels;
  payments: PaymentProviders;
  orderIds: OrderIds;
};

export type OrderingAccess = RuntimeAccess<OrderingRuntime>;
