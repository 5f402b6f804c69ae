import {
  call,
  ConflictError,
  LocalPublisher,
  NotFoundError,
  localDomainEvents,
  type ParamsOf,
} from '@ticketpro/shared';
import { defaultPage, eventually, malformed } from '@ticketpro/shared/testing';
import { parseCode } from '../../src';
import { OrderingStandIn, pendingOrder } from '../support/ordering-stand-in';
import {
  admin,
  announceEvent,
  as,
  buyer,
  organizer,
  otherUser,
  startEmbeddedTicketing,
  type EmbeddedTicketing,
} from '../support/ticket-fixtures';
import { envelopeOf, nextId, orderFacts } from '../support/order-events';

let node: EmbeddedTicketing;
const ordering = new OrderingStandIn();

beforeAll(async () => {
  node = await startEmbeddedTicketing('ticketing_reserve', [ordering.schema()]);
});

afterAll(() => node?.stop());

const reserve = (params: ParamsOf<'ticketing.tickets.create'>, caller: typeof buyer | undefined) =>
  call(node.broker, 'ticketing.tickets.create', params, as(caller));
const ticketsOf = (orderId: number) =>
  call(node.broker, 'ticketing.tickets.list', defaultPage({ order_id: orderId }), as(admin));

/** An order of `buyer` for a new event whose next added unit of `ticketTypeId` is unit `unit`. */
async function orderAddingUnit(unit: number) {
  const eventId = await announceEvent();
  const ticketTypeId = nextId();
  const order = pendingOrder(nextId(), buyer.id, eventId, ticketTypeId, unit);
  ordering.answer = () => ({ order, unit });
  return { eventId, ticketTypeId, order };
}

describe('ticketing.tickets.create', () => {
  it("reserves a ticket for the unit ordering added, named by the ticket's id, with a signed code", async () => {
    const { eventId, ticketTypeId, order } = await orderAddingUnit(2);

    const ticket = await reserve({ order_id: order.id, ticket_type_id: ticketTypeId, seat_number: 'B12' }, buyer);

    expect(ticket).toMatchObject({
      order_id: order.id,
      ticket_type_id: ticketTypeId,
      event_id: eventId,
      seat_number: 'B12',
      status: 'reserved',
      checked_in: false,
    });
    expect(ordering.calls.at(-1)).toEqual({
      params: { id: order.id, ticket_type_id: ticketTypeId, ref: `ticket:${ticket.id}` },
      caller: buyer,
    });
    expect(parseCode(ticket.qr_code)).toMatchObject({ ticketId: ticket.id, eventId });
    await expect(
      call(node.broker, 'ticketing.validation.checkin', { qr_code: ticket.qr_code }, as(organizer)),
    ).rejects.toMatchObject({ code: 409 });
  });

  it("gives the ticket to the order's owner when an admin adds it", async () => {
    const { ticketTypeId, order } = await orderAddingUnit(1);

    const ticket = await reserve({ order_id: order.id, ticket_type_id: ticketTypeId }, admin);

    expect(ticket.seat_number).toBeNull();
    const own = await call(node.broker, 'ticketing.tickets.list', defaultPage({ order_id: order.id }), as(buyer));
    expect(own.items.map((t) => t.id)).toEqual([ticket.id]);
  });

  it("passes ordering's refusal on (404 another user's order, 409 sold out) and stores no ticket", async () => {
    const { ticketTypeId, order } = await orderAddingUnit(2);

    ordering.answer = () => {
      throw new NotFoundError('Order not found');
    };
    await expect(reserve({ order_id: order.id, ticket_type_id: ticketTypeId }, otherUser)).rejects.toMatchObject({
      code: 404,
    });
    ordering.answer = () => {
      throw new ConflictError('"General admission" is sold out');
    };
    await expect(reserve({ order_id: order.id, ticket_type_id: ticketTypeId }, buyer)).rejects.toMatchObject({
      code: 409,
    });

    expect((await ticketsOf(order.id)).total).toBe(0);
  });

  it('refuses bad input (422) and an anonymous caller (401) without asking ordering', async () => {
    const before = ordering.calls.length;

    await expect(reserve(malformed({ order_id: 1 }), buyer)).rejects.toMatchObject({ code: 422 });
    const tooLong = { order_id: 1, ticket_type_id: 1, seat_number: 'x'.repeat(21) };
    await expect(reserve(tooLong, buyer)).rejects.toMatchObject({ code: 422 });
    await expect(reserve({ order_id: 1, ticket_type_id: 1 }, undefined)).rejects.toMatchObject({ code: 401 });

    expect(ordering.calls.length).toBe(before);
  });

  it('makes the reserved ticket valid when the order is paid, and issues each other unit once', async () => {
    const { eventId, ticketTypeId, order } = await orderAddingUnit(2);
    const reserved = await reserve({ order_id: order.id, ticket_type_id: ticketTypeId, seat_number: 'A1' }, buyer);

    await new LocalPublisher(localDomainEvents).publish(
      envelopeOf('ordering.order.paid', orderFacts(buyer.id, eventId, [[ticketTypeId, 2]], order.id)),
    );

    const tickets = await eventually(async () => {
      const page = await ticketsOf(order.id);
      return page.items.every((t) => t.status === 'valid') && page.total === 2 ? page.items : undefined;
    });
    expect(tickets.find((t) => t.id === reserved.id)).toMatchObject({ status: 'valid', seat_number: 'A1' });
    expect(new Set(tickets.map((t) => t.qr_code)).size).toBe(2);
  });
});

describe('ticketing.tickets.delete of a reserved ticket', () => {
  const cancel = (id: number, caller: typeof buyer) =>
    call(node.broker, 'ticketing.tickets.delete', { id }, as(caller));
  const reload = (id: number) => call(node.broker, 'ticketing.tickets.get', { id }, as(admin));

  it('takes its unit off the order under the ref ticket-removed:<id>, then voids it once', async () => {
    const { ticketTypeId, order } = await orderAddingUnit(2);
    const ticket = await reserve({ order_id: order.id, ticket_type_id: ticketTypeId }, buyer);
    ordering.removal = () => ({ order });
    const before = ordering.removals.length;

    await expect(cancel(ticket.id, buyer)).resolves.toEqual({ message: 'Ticket cancelled' });

    expect(ordering.removals.slice(before)).toEqual([
      { params: { id: order.id, ticket_type_id: ticketTypeId, ref: `ticket-removed:${ticket.id}` }, caller: buyer },
    ]);
    expect(await reload(ticket.id)).toMatchObject({ status: 'void' });
    await expect(cancel(ticket.id, admin)).rejects.toMatchObject({ code: 409, message: 'The ticket is already void' });
    expect(ordering.removals.length).toBe(before + 1);
  });

  it("passes ordering's refusal on (409: the order was paid meanwhile) and keeps the ticket", async () => {
    const { ticketTypeId, order } = await orderAddingUnit(2);
    const ticket = await reserve({ order_id: order.id, ticket_type_id: ticketTypeId }, buyer);
    ordering.removal = () => {
      throw new ConflictError('The order is completed; units can only be removed from a pending order');
    };

    await expect(cancel(ticket.id, admin)).rejects.toMatchObject({ code: 409 });

    expect(await reload(ticket.id)).toMatchObject({ status: 'reserved' });
  });

  it('lets a retry finish a cancel whose void was lost, with the same ref', async () => {
    const { ticketTypeId, order } = await orderAddingUnit(3);
    const ticket = await reserve({ order_id: order.id, ticket_type_id: ticketTypeId }, buyer);
    let calls = 0;
    ordering.removal = () => {
      calls += 1;
      if (calls === 1) throw new Error('ordering went away after removing the unit');
      return { order };
    };

    await expect(cancel(ticket.id, buyer)).rejects.toThrow();
    expect(await reload(ticket.id)).toMatchObject({ status: 'reserved' });
    await expect(cancel(ticket.id, buyer)).resolves.toEqual({ message: 'Ticket cancelled' });

    const refs = ordering.removals.filter((c) => c.params.id === order.id).map((c) => c.params.ref);
    expect(refs).toEqual([`ticket-removed:${ticket.id}`, `ticket-removed:${ticket.id}`]);
  });
});
