const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;
const recorded = require('./test-durations.json');

const root = path.resolve(__dirname, '../..');

/**
 * Runs the longest test files first, so the run does not end with one worker busy on a long
 * e2e file while the other sits idle: with two workers, a long file started last adds its whole
 * length to the run.
 *
 * Jest does this by itself only from its cache of durations, which a clean CI clone has not got,
 * and otherwise orders by file size, which puts short unit files with many cases ahead of e2e files
 * that wait on whole clusters. So a file's expected duration is jest's cached one when there is
 * one (this machine's, fresher), else the one recorded in `test-durations.json`. A file in neither
 * is new: it goes first, as jest's own order puts it, so a long new file cannot end up last.
 * Failed files still go first of all, as in jest's order.
 */
class SlowestFirstSequencer extends Sequencer {
  sort(tests) {
    const expected = (test) => this.time(test) ?? recorded[path.relative(root, test.path)];
    return [...tests].sort((a, b) => {
      const failed = Number(this.hasFailed(b)) - Number(this.hasFailed(a));
      if (failed !== 0) return failed;
      const [timeA, timeB] = [expected(a), expected(b)];
      if ((timeA === undefined) !== (timeB === undefined)) return timeA === undefined ? -1 : 1;
      return (timeB ?? 0) - (timeA ?? 0) || a.path.localeCompare(b.path);
    });
  }
}

module.exports = SlowestFirstSequencer;
