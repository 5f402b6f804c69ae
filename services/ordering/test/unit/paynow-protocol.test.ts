import { isSignedByPaynow, outcomeOf, parseMessage, paynowHash, signedBody } from '../../src/payments/paynow/protocol';

/** The integration key of the examples in Paynow's developer documentation ("Generating Hash", "Validating Hash"). */
const DOCUMENTED_KEY = '3e9fed89-60e1-4ce5-ab6e-6b1eb2d4f977';

/** Paynow's documented outbound example, and the hash its documentation gives for it. */
const OUTBOUND: [string, string][] = [
  ['id', '1201'],
  ['reference', 'TEST REF'],
  ['amount', '99.99'],
  ['additionalinfo', 'A test ticket transaction'],
  ['returnurl', 'http://www.google.com/search?q=returnurl'],
  ['resulturl', 'http://www.google.com/search?q=resulturl'],
  ['status', 'Message'],
];
const OUTBOUND_HASH =
  '2A033FC38798D913D42ECB786B9B19645ADEDBDE788862032F1BD82CF3B92DEF84F316385D5B40DBB35F1A4FD7D5BFE73835174136463CDD48C9366B0749C689';

/** Paynow's documented inbound example (an initiate answer), URL-encoded as Paynow sends it. */
const INBOUND =
  'status=Ok&browserurl=https%3a%2f%2fstaging.paynow.co.zw%2fPayment%2fConfirmPayment%2f9510' +
  '&pollurl=https%3a%2f%2fstaging.paynow.co.zw%2fInterface%2fCheckPayment%2f%3fguid%3dc7ed41da-0159-46da-b428-69549f770413' +
  '&paynowreference=9510&hash=750DD0B0DF374678707BB5AF915AF81C228B9058AD57BB7120569EC68BBB9C2EFC1B26C6375D2BC562AC909B3CD6B2AF1D42E1A5E479FFAC8F4FB3FDCE71DF4D';

describe("Paynow's message hash, against the examples in Paynow's documentation", () => {
  it('signs the documented outbound message with the documented hash', () => {
    expect(paynowHash(OUTBOUND, DOCUMENTED_KEY)).toBe(OUTBOUND_HASH);
    const sent = new URLSearchParams(signedBody(OUTBOUND, DOCUMENTED_KEY));
    expect([...sent.keys()]).toEqual([...OUTBOUND.map(([name]) => name), 'hash']);
    expect(sent.get('hash')).toBe(OUTBOUND_HASH);
  });

  it('accepts the documented inbound message, its values URL-decoded, and only with our key', () => {
    const fields = parseMessage(INBOUND);
    expect(isSignedByPaynow(fields, DOCUMENTED_KEY)).toBe(true);
    expect(isSignedByPaynow(fields, 'b1f2e3d4-0000-4c4c-9d9d-another-key0')).toBe(false);
  });

  it('refuses the inbound message with a value changed, its fields reordered, or no hash', () => {
    const fields = parseMessage(INBOUND);
    const changed = fields.map(([name, value]): [string, string] => [name, name === 'status' ? 'Paid' : value]);
    const reordered = [fields[1], fields[0], ...fields.slice(2)];
    const unsigned = fields.filter(([name]) => name !== 'hash');
    for (const forged of [changed, reordered, unsigned]) expect(isSignedByPaynow(forged, DOCUMENTED_KEY)).toBe(false);
  });
});

describe("Paynow's statuses", () => {
  it.each([
    ['Paid', 'paid'],
    ['Awaiting Delivery', 'paid'],
    ['Delivered', 'paid'],
    ['Cancelled', 'cancelled'],
    ['Failed', 'failed'],
    ['Disputed', 'failed'],
    ['Sent', 'pending'],
    ['Created', 'pending'],
  ])('%s means %s for the payment', (status, outcome) => {
    expect(outcomeOf(status)).toBe(outcome);
  });
});
