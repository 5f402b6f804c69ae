/**
 * What the bench started, to be stopped in reverse order when it ends, fails or is interrupted.
 * Each step runs once even when a signal arrives while the normal end is already tearing down.
 */
export class Teardown {
  private readonly steps: { what: string; run: () => Promise<unknown> }[] = [];
  private running: Promise<void> | undefined;

  add(what: string, run: () => Promise<unknown>): void {
    this.steps.push({ what, run });
  }

  run(): Promise<void> {
    this.running ??= this.runSteps();
    return this.running;
  }

  private async runSteps(): Promise<void> {
    for (const step of [...this.steps].reverse()) {
      try {
        await step.run();
      } catch (err) {
        // One leftover must not keep the others from being cleaned up.
        console.error(`bench: could not ${step.what}: ${(err as Error).message}`);
      }
    }
  }
}
