import { eventNameOf, subjectFor, toDecimalText } from '@ticketpro/shared';
import { eventually } from '@ticketpro/shared/testing';
import { applyOrderEvents, type ReportedOrderEvent } from '../../src/projections/apply-order-events';
import {
  envelopeAt as envelope,
  startReportingOverJetStream,
  type ReportingOverJetStream,
} from '../support/reporting-over-jetstream';

/**
 * The order projection applies a batch of events in one statement: whatever the batches, the
 * order they arrive in, and however often an event is delivered, each order's row is what
 * applying its events one by one gives, and each event counts once.
 */
let reporting: ReportingOverJetStream;

const at = (minute: number) => new Date(Date.UTC(2027, 0, 1, 12, minute)).toISOString();

function facts(id: number, payment_status: string, payment_method = 'credit_card') {
  return {
    id,
    user_id: 7,
    event_id: 70,
    total_price: toDecimalText(50),
    currency: 'USD',
    payment_status,
    payment_method,
    expires_at: null,
    items: [{ ticket_type_id: 700, quantity: 2, unit_price: toDecimalText(25) }],
  };
}

/** An order's life: created, paid, a partial refund, refunded in full; each a minute apart. */
function life(id: number): ReportedOrderEvent[] {
  return [
    envelope('ordering.order.created', facts(id, 'pending'), at(1)),
    envelope('ordering.order.paid', facts(id, 'completed', 'cash'), at(2)),
    envelope(
      'ordering.order.partially_refunded',
      {
        ...facts(id, 'partially_refunded', 'cash'),
        refund_id: id * 10,
        refund_amount: toDecimalText(25),
        ticket_ids: [id * 100],
      },
      at(3),
    ),
    envelope('ordering.order.refunded', facts(id, 'refunded', 'cash'), at(4)),
  ] as ReportedOrderEvent[];
}

/** What applying `life(id)` one event at a time leaves, whichever order they came in. */
const afterLife = (id: number) => ({
  order_id: id,
  payment_status: 'refunded',
  payment_method: 'cash',
  total_price: '50.00',
  units: 2,
  created_at: new Date(at(1)),
  paid_at: new Date(at(2)),
  refunded_at: new Date(at(4)),
  as_of: new Date(at(4)),
});

const orderRow = (id: number) =>
  reporting.node.db
    .reporting('orders')
    .where('order_id', id)
    .first(
      'order_id',
      'payment_status',
      'payment_method',
      'total_price',
      'units',
      'created_at',
      'paid_at',
      'refunded_at',
      'as_of',
    );
const refundsOf = (id: number) =>
  reporting.node.db.reporting('partial_refunds').where('order_id', id).select('refund_id', 'amount');
const apply = (batch: ReportedOrderEvent[]) =>
  reporting.node.db.reporting.transaction((trx) => applyOrderEvents(batch, trx));

beforeAll(async () => {
  reporting = await startReportingOverJetStream('reporting_batches');
});

afterAll(async () => {
  await reporting?.stop();
});

describe('a batch of order events', () => {
  it('leaves the row that applying them one at a time leaves, in any order', async () => {
    for (const event of life(1)) await apply([event]);
    await apply(life(2));
    await apply(life(3).reverse());
    const [created, paid, partial, refunded] = life(4);
    await apply([paid, refunded]);
    await apply([created, partial]);

    for (const id of [1, 2, 3, 4]) expect(await orderRow(id)).toEqual(afterLife(id));
  });

  it('keeps newer facts already held, and moves the instants all the same', async () => {
    const [created, paid, , refunded] = life(5);
    await apply([refunded]);
    await apply([paid, created]);
    expect(await orderRow(5)).toEqual(afterLife(5));
  });

  it('takes a version-1 event without a payment method as keeping the one the row has', async () => {
    const [created, paid] = life(6);
    const { id, user_id, event_id, total_price, currency, payment_status, items } = paid.data;
    const paidV1 = {
      ...paid,
      dataversion: 1,
      data: { id, user_id, event_id, total_price, currency, payment_status, items },
    } as ReportedOrderEvent;
    await apply([created, paidV1]);
    expect(await orderRow(6)).toMatchObject({ payment_status: 'completed', payment_method: 'credit_card' });
  });

  it('keeps a partial refund once, however often it comes in a batch or across batches', async () => {
    const [, , partial] = life(8);
    await apply([partial, partial]);
    await apply([partial]);
    expect(await refundsOf(8)).toEqual([{ refund_id: 80, amount: '25.00' }]);
  });

  it('moves the clock to the batch’s latest event, never back', async () => {
    const clock = async () => (await reporting.node.db.reporting('projection_clock').first('as_of')).as_of as Date;
    const [created, paid] = life(9).map((e) => ({ ...e, time: e.time.replace('2027', '2030') }));
    await apply([paid, created]);
    expect(await clock()).toEqual(new Date(paid.time));
    await apply([created]);
    expect(await clock()).toEqual(new Date(paid.time));
  });
});

describe('order events delivered over JetStream', () => {
  it('counts an event delivered twice once, in one batch or in two', async () => {
    const events = life(20);
    // Raw publishes, not deduplicated by message id: each event reaches the consumer twice, the
    // copies right behind each other (one batch) and again after the rest (a later one).
    const publishRaw = (e: ReportedOrderEvent) =>
      reporting.nc.jetstream().publish(subjectFor(reporting.prefix, eventNameOf(e.type)), JSON.stringify(e));
    for (const e of events) {
      await publishRaw(e);
      await publishRaw(e);
    }
    for (const e of events) await publishRaw(e);
    const done = async () =>
      Number(
        (
          await reporting.node.db
            .reporting('processed_events')
            .where('consumer', 'reporting_orders')
            .count({ n: '*' })
            .first()
        )?.n,
      );
    await eventually(async () => (await done()) === events.length, 30_000);
    const jsm = await reporting.nc.jetstreamManager();
    await eventually(async () => {
      const info = await jsm.consumers.info(reporting.stream, 'reporting_orders');
      return info.num_pending === 0 && info.num_ack_pending === 0;
    }, 30_000);

    expect(await orderRow(20)).toEqual(afterLife(20));
    expect(await refundsOf(20)).toEqual([{ refund_id: 200, amount: '25.00' }]);
  });
});
