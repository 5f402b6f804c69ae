import type { ServiceBroker } from 'moleculer';
import type { NatsConnection } from 'nats';
import { createBroker, createLogger, type Order } from '@ticketpro/shared';
import { assertNatsReachable, eventually, testConfig, testNatsUrl, uniqueName } from '@ticketpro/shared/testing';
import { claimantOf } from '../../src/idempotency/claimant';
import { idempotent } from '../../src/idempotency/idempotent';
import { TestPaymentProvider } from '../../src/payments/test-provider';
import type { ChargeRequest, ChargeResult } from '../../src/payments/provider';
import { payOrder } from '../../src/payments/pay-order';
import type { OrderingRuntime } from '../../src/runtime';
import { orderingNodeForFile } from '../support/ordering-node';
import { buyer, createEvent, createTicketType, inventory, orderBody, placeOrder } from '../support/ordering-fixtures';

const node = orderingNodeForFile({ ORDER_HOLD_SECONDS: 600 });
const logger = createLogger('test', 'silent');
/**
 * Shorter than the lease (5 s, renewed every second while the holder works): a repeat that
 * answers within it took the claim over because its holder was found gone, not because the lease ran out.
 */
const WAIT_MS = 2000;
/**
 * Moleculer subscribes a started node's actions again a second after it started (a debounced
 * INFO); a connection closed before then fails that.
 */
const RESUBSCRIBED_MS = 2000;

/** A card provider that takes a payment id's money once, as the provider contract says, and holds its answers until released. */
class GatedProvider extends TestPaymentProvider {
  readonly charged: number[] = [];
  private opened = false;
  private readonly waiting: (() => void)[] = [];

  override async charge(request: ChargeRequest): Promise<ChargeResult> {
    this.charged.push(request.paymentId);
    if (!this.opened) await new Promise<void>((resolve) => this.waiting.push(resolve));
    return super.charge(request);
  }

  open(): void {
    this.opened = true;
    for (const release of this.waiting.splice(0)) release();
  }
}

/**
 * Two requests with one Idempotency-Key on two ordering nodes over real NATS, against real
 * Postgres: the node holding the claim loses its NATS connection, as a SIGKILLed process does;
 * the repeat finds it gone and takes the claim over without waiting out the lease. Had the
 * holder only been cut off, it resumes: it stores nothing and answers what the repeat stored.
 */
describe('claims of a node that is gone', () => {
  const brokers: ServiceBroker[] = [];
  let namespace: string;

  const startBroker = async (role: string) => {
    const broker = createBroker({
      config: testConfig({ NATS_URL: testNatsUrl(), NAMESPACE: namespace }),
      role,
      logger,
    });
    brokers.push(broker);
    await broker.start();
    return broker;
  };
  /** A node that holds claims, and one that repeats its requests, both past their resubscription. */
  const startHolderAndRepeater = async () => {
    const started = await Promise.all([startBroker('holder'), startBroker('repeater')]);
    await new Promise((resolve) => setTimeout(resolve, RESUBSCRIBED_MS));
    return started;
  };
  /** What SIGKILL does as the NATS server sees it: the connection closes without a word from Moleculer. */
  const cutOff = (broker: ServiceBroker) =>
    (broker.transit?.tx as unknown as { client: NatsConnection }).client.close();
  const keyRow = (key: string) => node.orderingDb('idempotency_keys').where({ user_id: buyer.id, key });

  beforeAll(async () => {
    await assertNatsReachable();
  });
  beforeEach(() => {
    namespace = uniqueName('claims');
  });
  afterEach(async () => {
    await Promise.all(brokers.splice(0).map((broker) => broker.stop().catch(() => undefined)));
  });

  const request = (broker: ServiceBroker, key: string, params: object) => ({
    userId: buyer.id,
    key,
    action: 'ordering.orders.pay' as const,
    params,
    status: 200,
    waitMs: WAIT_MS,
    claimant: claimantOf({ broker, logger }),
  });
  /**
   * Starts the first attempt of a request on `holder` and returns once `holder` holds its claim;
   * the attempt answers `{ by: 'holder' }` only when released.
   */
  const holdFirstAttempt = async (holder: ServiceBroker, params: object) => {
    const key = uniqueName('key');
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const first = idempotent(node.orderingDb, request(holder, key, params), async () => {
      await released;
      return { by: 'holder' };
    });
    await eventually(async () => (await keyRow(key).first('claimed_by'))?.claimed_by === holder.nodeID);
    return { key, first, release };
  };

  it('lets a repeat take over at once; the holder, resuming, stores nothing and answers the repeat', async () => {
    const [holder, repeater] = await startHolderAndRepeater();
    const { key, first, release } = await holdFirstAttempt(holder, { id: 1 });
    await cutOff(holder);

    const repeat = await idempotent(node.orderingDb, request(repeater, key, { id: 1 }), async (attempt) => ({
      by: 'repeater',
      resumed: attempt.resumed,
    }));
    release();

    expect(repeat).toEqual({ by: 'repeater', resumed: true });
    expect(await first).toEqual(repeat);
    expect(await keyRow(key).first('response')).toEqual({ response: { status: 200, body: repeat } });
  });

  it('leaves the claim of a live node alone: a repeat waits for its answer', async () => {
    const [holder, repeater] = await startHolderAndRepeater();
    const { key, first, release } = await holdFirstAttempt(holder, { id: 2 });
    let repeatRan = false;

    const repeat = idempotent(node.orderingDb, request(repeater, key, { id: 2 }), async () => {
      repeatRan = true;
      return { by: 'repeater' };
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    release();

    expect(await repeat).toEqual({ by: 'holder' });
    expect(await first).toEqual({ by: 'holder' });
    expect(repeatRan).toBe(false);
  });

  it('takes money once for a pay whose provider call outlives its node: the repeat asks again under the same payment id', async () => {
    const [holder, repeater] = await startHolderAndRepeater();
    const event = await createEvent(node);
    const ticketType = await createTicketType(node, event.id, { quantity: 10 });
    const order = await placeOrder(node, buyer, orderBody(event.id, ticketType.id, 1));
    const provider = new GatedProvider();
    // Each attempt as its node runs it; catalog and identity are the test node's.
    const onNode = (broker: ServiceBroker): OrderingRuntime => ({
      ...node.runtime,
      broker,
      payments: { forMethod: () => provider, named: () => provider },
    });
    const pay = (broker: ServiceBroker, key: string) => {
      const attempt = request(broker, key, { id: order.id });
      return idempotent(node.orderingDb, attempt, ({ resumed }) =>
        payOrder(onNode(broker), node.broker, buyer, order.id, {
          resumed,
          waitMs: WAIT_MS,
          claimant: attempt.claimant,
        }),
      );
    };
    const key = uniqueName('key');

    const first = pay(holder, key);
    await eventually(async () => provider.charged.length === 1);
    await cutOff(holder);
    const repeat = pay(repeater, key);
    await eventually(async () => provider.charged.length === 2);
    provider.open();
    const answers: Order[] = await Promise.all([first, repeat]);

    expect(answers[0]).toEqual(answers[1]);
    expect(answers[1]).toMatchObject({ id: order.id, payment_status: 'completed' });
    const payments = await node.orderingDb('payments').where('order_id', order.id);
    expect(payments).toMatchObject([{ state: 'captured', charging_until: null }]);
    expect(new Set(provider.charged)).toEqual(new Set([payments[0].id]));
    expect(await inventory(node, ticketType.id)).toEqual({ available: 9, sold: 1 });
  });
});
