import { LazyMailProvider } from '../../src/delivery/lazy-provider';
import type { MailProvider } from '../../src/delivery/provider';
import { anOutgoingMail } from '../support/outgoing-mail';

const mail = anOutgoingMail();

/** A provider that counts what reached it, and a loader that counts its loads. */
function countingProvider() {
  const sent: string[] = [];
  let closed = 0;
  let loads = 0;
  const provider: MailProvider = {
    name: 'counting',
    send: async (m) => {
      sent.push(m.messageId);
      return `accepted ${m.messageId}`;
    },
    close: async () => {
      closed++;
    },
  };
  const load = async () => {
    loads++;
    return provider;
  };
  return { load, sent, loads: () => loads, closed: () => closed };
}

describe('LazyMailProvider', () => {
  it('loads nothing until the first message, and closing before any loads nothing either', async () => {
    const counting = countingProvider();
    const lazy = new LazyMailProvider('file', counting.load);
    expect(lazy.name).toBe('file');
    await lazy.close();
    expect(counting.loads()).toBe(0);
    expect(counting.closed()).toBe(0);
  });

  it('loads the provider once for messages sent at once, answers its ids, and closes it', async () => {
    const counting = countingProvider();
    const lazy = new LazyMailProvider('file', counting.load);
    const ids = await Promise.all([lazy.send(mail), lazy.send({ ...mail, messageId: '<2@ticketpro.test>' })]);
    expect(ids).toEqual(['accepted <1@ticketpro.test>', 'accepted <2@ticketpro.test>']);
    expect(counting.loads()).toBe(1);
    await lazy.close();
    expect(counting.closed()).toBe(1);
  });

  it('fails the send when the provider cannot be loaded, as a refused message does', async () => {
    const lazy = new LazyMailProvider('smtp', () => Promise.reject(new Error('no such module')));
    await expect(lazy.send(mail)).rejects.toThrow('no such module');
  });
});
