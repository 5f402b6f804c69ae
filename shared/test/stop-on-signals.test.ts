import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

jest.setTimeout(60_000);

/** How long the target's shutdown takes: long enough for the test to signal it again meanwhile. */
const SHUTDOWN_MS = 1500;

function startTarget(): { child: ChildProcess; output: () => string; next: (message: string) => Promise<void> } {
  const script = path.join(__dirname, 'support', 'signal-target.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, String(SHUTDOWN_MS)], {
    cwd: path.resolve(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const next = (message: string) =>
    new Promise<void>((resolve, reject) => {
      const onMessage = (m: unknown) => {
        if (m !== message) return;
        child.off('message', onMessage);
        resolve();
      };
      child.on('message', onMessage);
      child.once('exit', (code, signal) =>
        reject(new Error(`exited (${code ?? signal}) before '${message}':\n${output}`)),
      );
    });
  return { child, output: () => output, next };
}

describe('stopOnSignals', () => {
  it('finishes the shutdown and exits 0 though signalled again meanwhile', async () => {
    const target = startTarget();
    await target.next('ready');
    const stopping = target.next('stopping');
    target.child.kill('SIGTERM');
    await stopping;
    const exited = once(target.child, 'exit');
    target.child.kill('SIGTERM');
    target.child.kill('SIGINT');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const lines = target
      .output()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => l.msg)).toEqual([
      'shutting down',
      'already shutting down',
      'already shutting down',
      'shutdown finished',
    ]);
    expect(lines[0].signal).toBe('SIGTERM');
    // Two signals sent at once may be handled in either order.
    expect(
      lines
        .slice(1, 3)
        .map((l) => l.signal)
        .sort(),
    ).toEqual(['SIGINT', 'SIGTERM']);
  });
});
