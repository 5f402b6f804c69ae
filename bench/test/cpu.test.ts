import { machineShares, readMachineCpu } from '../cpu';

describe('readMachineCpu', () => {
  it("counts a busy loop's time as the machine's busy time", () => {
    const before = readMachineCpu();
    const until = Date.now() + 300;
    while (Date.now() < until);
    const after = readMachineCpu();

    // At least part of the loop's 300 ms ran, whatever else shares the cores (/proc/stat ticks are 10 ms).
    expect(after.busy - before.busy).toBeGreaterThanOrEqual(100);
    const shares = machineShares(before, after);
    expect(shares.busy).toBeGreaterThan(0);
    expect(shares.busy + shares.steal).toBeLessThanOrEqual(1);
  });
});

describe('machineShares', () => {
  it('divides busy and stolen time by all the time the cores had', () => {
    expect(machineShares({ busy: 1000, steal: 0, idle: 5000 }, { busy: 1600, steal: 100, idle: 5300 })).toEqual({
      busy: 0.6,
      steal: 0.1,
    });
  });
});
