import { benchOptionsFromEnv } from './options';
import { runBench } from './harness';
import { Teardown } from './teardown';

/** `npm run bench`: see docs/PERFORMANCE.md for what it measures and its options. */
const teardown = new Teardown();
// Every signal is caught, not just the first: Ctrl-C reaches us twice (from the terminal, and
// relayed by tsx), and a second default SIGINT would kill us halfway through the cleanup.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`bench: ${signal}, stopping everything it started`);
    void teardown.run().finally(() => process.exit(130));
  });
}

runBench(benchOptionsFromEnv(process.env), teardown)
  .then((results) => {
    // The figures are worthless if the sale was wrong: fail loudly, whatever else was measured.
    if (results.flashSale && !results.flashSale.exact) {
      console.error('bench: the flash sale was NOT exact');
      process.exitCode = 1;
    }
  })
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
