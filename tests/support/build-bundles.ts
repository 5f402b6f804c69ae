/**
 * Jest globalSetup of the e2e project (jest runs it only when an e2e file is selected): builds the
 * processes' bundles once per run, so that startCluster starts them with plain node, as `npm run
 * start:<service>` and the image do, and the run tests the sources as they are when it starts.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function buildBundles(): void {
  const root = path.resolve(__dirname, '../..');
  // Unchanged outputs are not rewritten, so the processes of a run already going are not disturbed.
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
}
