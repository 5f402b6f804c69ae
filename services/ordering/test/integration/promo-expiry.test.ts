import { call, type Event, type Order, type PromoCode } from '@ticketpro/shared';
import { orderingNodeForFile } from '../support/ordering-node';
import {
  as,
  buyer,
  createEvent,
  createTicketType,
  getOrder,
  orderBody,
  organizer,
  otherBuyer,
  placeOrder,
} from '../support/ordering-fixtures';

const HOLD_SECONDS = 1;

const node = orderingNodeForFile({ ORDER_HOLD_SECONDS: HOLD_SECONDS });
let event: Event;

beforeAll(async () => {
  event = await createEvent(node);
});

const lapse = () => new Promise((resolve) => setTimeout(resolve, HOLD_SECONDS * 1000 + 150));

describe('an expired order with a promo code', () => {
  it('gives its use back, so the code sells again up to its limit and no further', async () => {
    const ticketType = await createTicketType(node, event.id, { price: 20, quantity: 10 });
    const code: PromoCode = await call(
      node.broker,
      'catalog.promoCodes.create',
      { id: event.id, code: `LAPSE${Math.floor(Math.random() * 1e6)}`, percent_off: 25, max_uses: 1 },
      as(organizer),
    );
    const body = { ...orderBody(event.id, ticketType.id), promo_code: code.code };
    const lapsing = await placeOrder(node, buyer, body);
    expect(lapsing).toMatchObject({ total_price: 15, discount: 5 });
    await expect(placeOrder(node, otherBuyer, body)).rejects.toMatchObject({ code: 422 });

    await lapse();
    expect((await getOrder(node, buyer, lapsing.id)).payment_status).toBe('expired');
    const uses = async () =>
      (await call(node.broker, 'catalog.promoCodes.get', { id: event.id, code_id: code.id }, as(organizer))).uses;
    expect(await uses()).toBe(0);
    const again: Order = await placeOrder(node, otherBuyer, body);
    expect(again).toMatchObject({ discount: 5, promo_code: code.code });
    expect(await uses()).toBe(1);
    await expect(placeOrder(node, buyer, body)).rejects.toMatchObject({ code: 422 });
  });
});
