import { eventually } from '@ticketpro/shared/testing';
import type { Api } from '@ticketpro/shared/testing';
import type { PaynowStandIn } from './paynow-stand-in';

/** Paynow's settings for a TicketPro whose gateway listens at `baseUrl`, talking to the stand-in at `apiUrl`. */
export function paynowSettings(paynow: PaynowStandIn, apiUrl: string, baseUrl: string): Record<string, string> {
  return {
    PAYNOW_INTEGRATION_ID: paynow.integrationId,
    PAYNOW_INTEGRATION_KEY: paynow.integrationKey,
    PAYNOW_API_URL: apiUrl,
    PAYNOW_RESULT_URL: `${baseUrl}/api/v1/payments/webhooks/paynow`,
    PAYNOW_RETURN_URL: `${baseUrl}/paid`,
  };
}

/**
 * Places an order for `quantity` units as `token`'s user with a mobile money method and pays it:
 * answers the 202's order and the payment's reference at Paynow.
 */
export async function startMobilePayment(
  api: Api,
  token: string,
  eventId: number,
  ticketTypeId: number,
  quantity: number,
  method: 'ecocash' | 'onemoney' = 'ecocash',
) {
  const placed = await api('POST', '/api/v1/orders', {
    token,
    body: { event_id: eventId, payment_method: method, items: [{ ticket_type_id: ticketTypeId, quantity }] },
  });
  if (placed.status !== 201)
    throw new Error(`placing an order failed: ${placed.status} ${JSON.stringify(placed.body)}`);
  const paid = await api('POST', `/api/v1/orders/${placed.body.id}/pay`, { token });
  if (paid.status !== 202) throw new Error(`paying did not answer 202: ${paid.status} ${JSON.stringify(paid.body)}`);
  return { order: paid.body, reference: `TP-${paid.body.payment.id}` };
}

/** Waits until the order's status, as its owner reads it, is `status`. */
export async function waitForOrderStatus(api: Api, token: string, orderId: number, status: string, timeoutMs = 20_000) {
  return eventually(async () => {
    const res = await api('GET', `/api/v1/orders/${orderId}`, { token });
    return res.status === 200 && res.body.payment_status === status && res.body;
  }, timeoutMs);
}
