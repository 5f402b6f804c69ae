import { GroupCommit, type BatchOutcomes } from '@ticketpro/shared';

/** A commit whose batches stay in flight until released, recording each batch it was given. */
function heldCommits() {
  const batches: string[][] = [];
  const releases: (() => void)[] = [];
  const commit = async (items: string[]): Promise<BatchOutcomes<string>> => {
    batches.push(items);
    await new Promise<void>((resolve) => releases.push(resolve));
    return items.map((item) =>
      item.startsWith('bad')
        ? { status: 'rejected', reason: new Error(`${item} refused`) }
        : { status: 'fulfilled', value: item.toUpperCase() },
    );
  };
  const releaseNext = () => releases.shift()?.();
  return { batches, commit, releaseNext };
}

const settledOnce = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('commits a lone item at once, alone', async () => {
    const { batches, commit, releaseNext } = heldCommits();
    const group = new GroupCommit(commit);
    const lone = group.submit('a');
    expect(batches).toEqual([['a']]);
    releaseNext();
    await expect(lone).resolves.toBe('A');
  });

  it('commits the items that arrived while a batch was in flight together, in order, in the next batch', async () => {
    const { batches, commit, releaseNext } = heldCommits();
    const group = new GroupCommit(commit);
    const first = group.submit('a');
    const queued = ['b', 'c', 'd'].map((item) => group.submit(item));
    expect(group.waiting).toBe(3);
    releaseNext();
    await first;
    await settledOnce();
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
    releaseNext();
    await expect(Promise.all(queued)).resolves.toEqual(['B', 'C', 'D']);
    await group.idle();
    expect(group.waiting).toBe(0);
  });

  it('settles each item by its own outcome: one failing item keeps the others', async () => {
    const { commit, releaseNext } = heldCommits();
    const group = new GroupCommit(commit);
    const first = group.submit('a');
    const [good, bad, alsoGood] = ['b', 'bad-c', 'd'].map((item) => group.submit(item));
    releaseNext();
    await first;
    await settledOnce();
    releaseNext();
    await expect(good).resolves.toBe('B');
    await expect(bad).rejects.toThrow('bad-c refused');
    await expect(alsoGood).resolves.toBe('D');
  });

  it('rejects every item of a batch whose commit throws, and goes on with the next batch', async () => {
    let calls = 0;
    const group = new GroupCommit<string, string>(async (items) => {
      calls++;
      if (items.includes('boom')) throw new Error('commit failed');
      return items.map((item) => ({ status: 'fulfilled', value: item }));
    });
    const [a, boom] = [group.submit('a'), group.submit('boom')];
    await expect(a).resolves.toBe('a');
    await expect(boom).rejects.toThrow('commit failed');
    await expect(group.submit('after')).resolves.toBe('after');
    expect(calls).toBe(3);
  });

  it('takes at most maxBatch items per batch', async () => {
    const { batches, commit, releaseNext } = heldCommits();
    const group = new GroupCommit(commit, 2);
    const all = ['a', 'b', 'c', 'd', 'e'].map((item) => group.submit(item));
    for (let i = 0; i < 3; i++) {
      releaseNext();
      await settledOnce();
    }
    await Promise.all(all);
    expect(batches).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });
});
