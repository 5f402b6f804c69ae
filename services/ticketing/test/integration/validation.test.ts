import { createPublicKey, verify } from 'node:crypto';
import { Errors } from 'moleculer';
import { call, rotateKeys, type Ticket } from '@ticketpro/shared';
import { eventually, malformed, type ActionsUnder } from '@ticketpro/shared/testing';
import {
  admin,
  announceEvent,
  as,
  buyer,
  buyTickets,
  organizer,
  otherOrganizer,
  refund,
  startEmbeddedTicketing,
  type EmbeddedTicketing,
} from '../support/ticket-fixtures';

let node: EmbeddedTicketing;

beforeAll(async () => {
  // Keys read again this often: a rotation by `npm run keys` reaches the node within it.
  node = await startEmbeddedTicketing('ticketing_validation', [], { keyringReloadMs: 100 });
});

afterAll(async () => {
  await node?.stop();
});

const scan = (
  action: Extract<ActionsUnder<'ticketing.validation.'>, 'validate' | 'checkin' | 'checkout'>,
  qr_code: string,
  caller = organizer,
) => call(node.broker, `ticketing.validation.${action}`, { qr_code }, as(caller));

describe('check-in at the door', () => {
  it('admits exactly one of ten scanners at the same instant; the others learn when it was', async () => {
    const eventId = await announceEvent();
    const [ticket] = await buyTickets(node.broker, eventId);

    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => scan('checkin', ticket.qr_code)));

    const admitted = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(admitted).toHaveLength(1);
    expect(admitted[0].value).toMatchObject({
      ticket_id: ticket.id,
      admitted: true,
      status: 'used',
      checked_in: true,
      validated_by: organizer.id,
    });
    expect(refused).toHaveLength(9);
    for (const { reason } of refused) {
      expect(reason).toMatchObject({
        code: 409,
        type: 'conflict',
        data: { validated_at: admitted[0].value.validated_at },
      });
    }
    const stored = await call(node.broker, 'ticketing.tickets.get', { id: ticket.id }, as(admin));
    expect(stored).toMatchObject({
      status: 'used',
      checked_in: true,
      validated_by: organizer.id,
      validated_at: admitted[0].value.validated_at,
    });
  });

  it('validate tells whether a ticket would be admitted and changes nothing', async () => {
    const eventId = await announceEvent();
    const [ticket] = await buyTickets(node.broker, eventId);

    await expect(scan('validate', ticket.qr_code, admin)).resolves.toMatchObject({ admitted: true, status: 'valid' });
    await expect(scan('validate', ticket.qr_code)).resolves.toMatchObject({ admitted: true, checked_in: false });
    await scan('checkin', ticket.qr_code);
    await expect(scan('validate', ticket.qr_code)).resolves.toMatchObject({
      admitted: false,
      reason: 'The ticket is already checked in',
    });
  });

  it('checks a ticket out only once it is checked in', async () => {
    const eventId = await announceEvent();
    const [ticket] = await buyTickets(node.broker, eventId);

    await expect(scan('checkout', ticket.qr_code)).rejects.toMatchObject({
      code: 409,
      message: 'The ticket is not checked in',
    });
    await scan('checkin', ticket.qr_code);
    await expect(scan('checkout', ticket.qr_code)).resolves.toMatchObject({ checked_in: true, checked_out: true });
    await expect(scan('checkout', ticket.qr_code)).rejects.toMatchObject({
      code: 409,
      message: 'The ticket is already checked out',
    });
  });

  it('refuses a voided ticket online although its signature is still good', async () => {
    const eventId = await announceEvent();
    const [ticket] = await buyTickets(node.broker, eventId);
    await refund(node.broker, ticket);

    await expect(scan('checkin', ticket.qr_code)).rejects.toMatchObject({ code: 409, message: 'The ticket is void' });
    await expect(scan('validate', ticket.qr_code)).resolves.toMatchObject({ admitted: false, status: 'void' });
  });

  it('answers 404 for forged, unknown or tampered codes', async () => {
    const eventId = await announceEvent();
    const [ticket] = await buyTickets(node.broker, eventId);
    const [prefix, payload, signature] = ticket.qr_code.split('.');
    const bytes = Buffer.from(payload, 'base64url');
    bytes[10] ^= 0xff; // another secret, same signature
    const unknownKid = Buffer.concat([bytes.subarray(0, 24), Buffer.from('not-a-key-id')]);

    for (const code of [
      'hello',
      'TP1.AAAA.AAAA',
      [prefix, bytes.toString('base64url'), signature].join('.'),
      [prefix, unknownKid.toString('base64url'), signature].join('.'),
      [prefix, payload, Buffer.alloc(64).toString('base64url')].join('.'),
    ]) {
      await expect(scan('checkin', code)).rejects.toMatchObject({ code: 404, type: 'not-found' });
    }
  });

  it('lets only the organizer of the event or an admin scan', async () => {
    const eventId = await announceEvent();
    const [ticket] = await buyTickets(node.broker, eventId);

    await expect(scan('validate', ticket.qr_code, buyer)).rejects.toMatchObject({ code: 403 });
    await expect(scan('checkin', ticket.qr_code, otherOrganizer)).rejects.toMatchObject({ code: 403 });
    await expect(
      call(node.broker, 'ticketing.validation.checkin', { qr_code: ticket.qr_code }, as(undefined)),
    ).rejects.toMatchObject({ code: 401 });
    await expect(
      call(node.broker, 'ticketing.validation.checkin', { qr_code: '' }, as(organizer)),
    ).rejects.toBeInstanceOf(Errors.ValidationError);
    await expect(
      call(
        node.broker,
        'ticketing.validation.checkin',
        malformed({ qr_code: ticket.qr_code, extra: 1 }),
        as(organizer),
      ),
    ).rejects.toMatchObject({ code: 422 });
    await expect(scan('checkin', ticket.qr_code, admin)).resolves.toMatchObject({
      admitted: true,
      validated_by: admin.id,
    });
  });

  it('shows the door status to the owner, the organizer and admins only', async () => {
    const eventId = await announceEvent();
    const [ticket] = await buyTickets(node.broker, eventId);
    const status = (caller: typeof buyer) =>
      call(node.broker, 'ticketing.validation.status', { ticket_id: ticket.id }, as(caller));

    await expect(status(buyer)).resolves.toMatchObject({ ticket_id: ticket.id, admitted: true });
    await expect(status(organizer)).resolves.toMatchObject({ ticket_id: ticket.id });
    await expect(status(admin)).resolves.toMatchObject({ ticket_id: ticket.id });
    await expect(status(otherOrganizer)).rejects.toMatchObject({ code: 404 });
  });
});

describe('signing keys', () => {
  it('publish public keys that verify a real ticket code offline', async () => {
    const eventId = await announceEvent();
    const [ticket] = await buyTickets(node.broker, eventId);
    const { keys } = await call(node.broker, 'ticketing.validation.keys');

    const [, payload, signature] = ticket.qr_code.split('.');
    const kid = Buffer.from(payload, 'base64url').subarray(24).toString('utf8');
    const jwk = keys.find((k) => k.kid === kid)!;
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', use: 'sig' });
    const publicKey = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
    expect(verify(null, Buffer.from(payload, 'base64url'), publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
  });

  it('rotate with `npm run keys`: new codes use the new key, codes handed out before still check in', async () => {
    const eventId = await announceEvent();
    const [before] = await buyTickets(node.broker, eventId);
    const oldKid = node.runtime.keyring.active.kid;

    await rotateKeys(node.runtime.config, { service: 'ticketing' });

    const { keys } = await call(node.broker, 'ticketing.validation.keys');
    const [newKid, previousKid] = keys.map((k) => k.kid);
    expect(previousKid).toBe(oldKid);
    expect(newKid).not.toBe(oldKid);
    await eventually(async () => node.runtime.keyring.active.kid === newKid);
    const [after] = await buyTickets(node.broker, eventId);
    const kidOf = (t: Ticket) => Buffer.from(t.qr_code.split('.')[1], 'base64url').subarray(24).toString('utf8');
    expect(kidOf(before)).toBe(oldKid);
    expect(kidOf(after)).toBe(newKid);
    await expect(scan('checkin', before.qr_code)).resolves.toMatchObject({ admitted: true });
    await expect(scan('checkin', after.qr_code)).resolves.toMatchObject({ admitted: true });
  });
});
