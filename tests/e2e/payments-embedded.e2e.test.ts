import { createEvent, createTicketType } from '../support/sales';
import { embeddedNode, type EmbeddedNode } from '../support/embedded';
import { PaynowStandIn } from '../support/paynow-stand-in';
import { paynowSettings, startMobilePayment, waitForOrderStatus } from '../support/paynow-sales';
import { waitForTicketCount } from '../support/tickets';
import { register } from '../support/users';

jest.setTimeout(240_000);

const paynow = new PaynowStandIn('40417', '0c1d2e3f-4a5b-6c7d-8e9f-embedded0000');
let node: EmbeddedNode;

beforeAll(async () => {
  const apiUrl = await paynow.start();
  node = await embeddedNode('e2e_payments_embedded', (baseUrl) => ({
    ...paynowSettings(paynow, apiUrl, baseUrl),
    PAYMENT_POLL_INTERVAL_SECONDS: '1',
  }));
  await node.start();
});

afterAll(async () => {
  await node?.destroy();
  await paynow.stop();
});

describe('npm start (embedded mode) with Paynow set', () => {
  it('takes an EcoCash payment by callback and another by polling, and cash at the door', async () => {
    const organizer = await register(node.api, { firstname: 'Rudo', surname: 'Chari', role: 'organizer' });
    const buyer = await register(node.api, { firstname: 'Farai', surname: 'Mlambo' });
    const event = await createEvent(node.api, organizer.access);
    const ticketType = await createTicketType(node.api, organizer.access, event.id, { price: 4, quantity: 10 });

    const byCallback = await startMobilePayment(node.api, buyer.access, event.id, ticketType.id, 2);
    expect(byCallback.order.payment).toMatchObject({ provider: 'paynow', status: 'awaiting_confirmation' });
    expect((await paynow.notify(byCallback.reference, 'Paid')).status).toBe(200);
    await waitForOrderStatus(node.api, buyer.access, byCallback.order.id, 'completed', 1000);
    await waitForTicketCount(node.api, buyer.access, byCallback.order.id, 2);

    const byPolling = await startMobilePayment(node.api, buyer.access, event.id, ticketType.id, 1, 'onemoney');
    paynow.setStatus(byPolling.reference, 'Paid');
    await waitForOrderStatus(node.api, buyer.access, byPolling.order.id, 'completed');

    const atTheDoor = await node.api('POST', '/api/v1/orders', {
      token: buyer.access,
      body: { event_id: event.id, payment_method: 'cash', items: [{ ticket_type_id: ticketType.id, quantity: 1 }] },
    });
    const cash = await node.api('POST', `/api/v1/orders/${atTheDoor.body.id}/payments/cash`, {
      token: organizer.access,
      body: { amount: 4 },
    });
    expect(cash.status).toBe(200);
    expect(cash.body).toMatchObject({ payment_status: 'completed' });

    const sold = await node.api('GET', `/api/v1/tickets/types/${ticketType.id}`);
    expect(sold.body).toMatchObject({ sold_quantity: 4, available_quantity: 6 });
    const ledger = await node.api('GET', `/api/v1/orders/${atTheDoor.body.id}/payments`, { token: buyer.access });
    expect(ledger.body).toMatchObject([{ provider: 'cash', state: 'completed', recorded_by: organizer.id }]);
  });
});
