import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One transaction the stand-in was asked to start, as Paynow keeps it. */
export interface PaynowTransaction {
  /** The merchant's reference (ours: `TP-<payment id>`). */
  reference: string;
  paynowReference: string;
  amount: string;
  method?: string;
  phone?: string;
  authEmail: string;
  resultUrl: string;
  /** Where Paynow sends the buyer back after a web checkout. */
  returnUrl: string;
  pollUrl: string;
  /** `Sent` until the buyer acts; then `Paid`, `Cancelled` or `Failed`. */
  status: string;
}

/** What may be wrong with a status update a test sends, to see it refused. */
export interface Tampering {
  amount?: string;
  reference?: string;
  /** Signed with another key, as a forger would. */
  forgedWith?: string;
}

const INITIATE_PATHS = ['/interface/remotetransaction', '/interface/initiatetransaction'];

/** The number Paynow's own test mode declines at once (insufficient balance). */
export const DECLINED_PHONE = '0774444444';

/**
 * Paynow as an HTTP server, speaking its documented protocol: form-encoded messages whose `hash`
 * is the upper-case hex SHA-512 of the other values in order, then the integration key. It
 * starts transactions (`/interface/remotetransaction` for mobile money, `/interface/initiatetransaction`
 * for web checkout), refusing a wrong integration id or hash as Paynow does (`status=Error`),
 * answers polls (`/interface/pollpayment?guid=…`), and posts status updates to the result URL
 * when a test says the buyer acted. The hash is computed here independently of ordering's code,
 * so a mistake there shows. Every request is recorded.
 */
export class PaynowStandIn {
  readonly transactions = new Map<string, PaynowTransaction>();
  readonly requests: { path: string; body: string }[] = [];
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  private baseUrl = '';
  private guids = 0;
  private readonly pollGate = new Gate();
  private readonly initiationGate = new Gate();
  private failingInitiations = 0;

  constructor(
    readonly integrationId: string,
    readonly integrationKey: string,
  ) {}

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The transaction of one of our payments (by its reference), once it was started. */
  transaction(reference: string): PaynowTransaction {
    const found = this.transactions.get(reference);
    if (!found) throw new Error(`Paynow stand-in: no transaction ${reference}`);
    return found;
  }

  /** The only transaction started for a payment id, for tests that know the payment. */
  transactionOfPayment(paymentId: number): PaynowTransaction {
    return this.transaction(`TP-${paymentId}`);
  }

  /** The buyer acted on the phone: the status polls answer from now on, without a callback. */
  setStatus(reference: string, status: 'Paid' | 'Cancelled' | 'Failed'): void {
    this.transaction(reference).status = status;
  }

  /** A status update as Paynow posts it to the result URL (form fields in order, hash last). */
  statusUpdate(reference: string, tampering: Tampering = {}): [string, string][] {
    const t = this.transaction(reference);
    const fields: [string, string][] = [
      ['reference', tampering.reference ?? t.reference],
      ['paynowreference', t.paynowReference],
      ['amount', tampering.amount ?? t.amount],
      ['status', t.status],
      ['pollurl', t.pollUrl],
    ];
    return [...fields, ['hash', hashOf(fields, tampering.forgedWith ?? this.integrationKey)]];
  }

  /** Sets the status and posts the update to the transaction's result URL, as Paynow does; resolves to the answer. */
  async notify(
    reference: string,
    status: 'Paid' | 'Cancelled' | 'Failed',
    tampering: Tampering = {},
  ): Promise<{ status: number; body: string }> {
    this.setStatus(reference, status);
    const response = await fetch(this.transaction(reference).resultUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(this.statusUpdate(reference, tampering)).toString(),
    });
    return { status: response.status, body: await response.text() };
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => void this.answer(req, res, body));
  }

  private async answer(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    this.requests.push({ path: url.pathname, body });
    let answer: string | undefined;
    if (req.method === 'POST' && INITIATE_PATHS.includes(url.pathname)) {
      await this.initiationGate.pass();
      if (this.failingInitiations > 0) {
        this.failingInitiations -= 1;
        res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
        return;
      }
      answer = this.initiate(new URLSearchParams(body), url.pathname === '/interface/remotetransaction');
    } else if (req.method === 'POST' && url.pathname === '/interface/pollpayment') {
      await this.pollGate.pass();
      answer = this.poll(url.searchParams.get('guid') ?? '');
    }
    res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'text/plain' });
    res.end(answer ?? 'Not found');
  }

  /**
   * Polls wait unanswered until `releasePolls()`: a test lines a poll up with a callback so that
   * both reach ordering at the same instant.
   */
  holdPolls(): void {
    this.pollGate.close();
  }

  releasePolls(): void {
    this.pollGate.open();
  }

  /** Polls held right now. */
  get heldPolls(): number {
    return this.pollGate.waiting;
  }

  /**
   * Transactions are started, but not answered, until `releaseInitiations()`: a test keeps a pay
   * at the provider while another pay of the same order arrives.
   */
  holdInitiations(): void {
    this.initiationGate.close();
  }

  releaseInitiations(): void {
    this.initiationGate.open();
  }

  /** Initiations held right now. */
  get heldInitiations(): number {
    return this.initiationGate.waiting;
  }

  /** The next `count` requests to start a transaction fail (HTTP 500) and start nothing. */
  failInitiations(count: number): void {
    this.failingInitiations = count;
  }

  /** How many times a transaction was asked to start (each one a push to a phone or a checkout). */
  get initiations(): number {
    return this.requests.filter((r) => INITIATE_PATHS.includes(r.path)).length;
  }

  private initiate(form: URLSearchParams, mobile: boolean): string {
    const fields = [...form.entries()];
    const hash = form.get('hash');
    if (form.get('id') !== this.integrationId) return error('Invalid Id.');
    if (!hash || hash !== hashOf(fields, this.integrationKey)) return error('Invalid Hash');
    const reference = form.get('reference') ?? '';
    if (!reference || !form.get('amount') || !form.get('resulturl') || !form.get('returnurl')) {
      return error('Missing required fields');
    }
    if (mobile && (!form.get('phone') || !form.get('method') || !form.get('authemail'))) {
      return error('Mobile transactions need phone, method and authemail');
    }
    if (mobile && form.get('phone') === DECLINED_PHONE) return error('Insufficient balance');
    const guid = `g${++this.guids}`;
    const transaction: PaynowTransaction = {
      reference,
      paynowReference: String(100000 + this.guids),
      amount: form.get('amount')!,
      method: form.get('method') ?? undefined,
      phone: form.get('phone') ?? undefined,
      authEmail: form.get('authemail') ?? '',
      resultUrl: form.get('resulturl')!,
      returnUrl: form.get('returnurl')!,
      pollUrl: `${this.baseUrl}/interface/pollpayment?guid=${guid}`,
      status: 'Sent',
    };
    this.transactions.set(reference, transaction);
    const answer: [string, string][] = [
      ['status', 'Ok'],
      ...(mobile
        ? ([['instructions', `Dial *151*2*4# and enter your EcoCash PIN to pay ${transaction.amount}`]] as [
            string,
            string,
          ][])
        : ([['browserurl', `${this.baseUrl}/payment/confirm?guid=${guid}`]] as [string, string][])),
      ['pollurl', transaction.pollUrl],
      ['paynowreference', transaction.paynowReference],
    ];
    return new URLSearchParams([...answer, ['hash', hashOf(answer, this.integrationKey)]]).toString();
  }

  private poll(guid: string): string | undefined {
    const transaction = [...this.transactions.values()].find((t) => t.pollUrl.endsWith(`guid=${guid}`));
    return transaction && new URLSearchParams(this.statusUpdate(transaction.reference)).toString();
  }
}

/** Paynow's hash: SHA-512 of the values (not `hash`) in order, then the key; upper-case hex. */
function hashOf(fields: [string, string][], key: string): string {
  const values = fields.filter(([name]) => name !== 'hash').map(([, value]) => value);
  return createHash('sha512')
    .update(values.join('') + key)
    .digest('hex')
    .toUpperCase();
}

/** Paynow's errors carry no hash. */
const error = (message: string) => new URLSearchParams({ status: 'Error', error: message }).toString();

/** Holds requests while closed; counts those held. */
class Gate {
  private passage: Promise<void> = Promise.resolve();
  private release: () => void = () => {};
  waiting = 0;

  close(): void {
    this.passage = new Promise((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release();
  }

  async pass(): Promise<void> {
    this.waiting += 1;
    await this.passage;
    this.waiting -= 1;
  }
}
