// `npm run build`: compiles each process's entry point, with the workspaces it imports, into one
// CommonJS file next to its sources (services/<name>/dist/main.js, …) with a source map. The
// npm dependencies stay outside the bundles and are loaded from node_modules as usual, so the
// image needs node_modules (production only) and the dist folders, nothing else.
//
// Runs before `npm start` too, and several may run at once (parallel test files): each output is
// written to a temporary file and renamed over the old one, so a process starting meanwhile reads
// either the old file or the new one, never half of one. Unchanged outputs are not rewritten.
import { existsSync, readdirSync } from 'node:fs';
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Output (without .js) → entry point; every path from the repository root. Each process is a
 * `services/<name>/src/main.ts`, found by that convention, so a new service needs no line here.
 */
const ENTRY_POINTS = {
  ...Object.fromEntries(
    readdirSync(path.join(ROOT, 'services'))
      .filter((name) => existsSync(path.join(ROOT, 'services', name, 'src/main.ts')))
      .map((name) => [`services/${name}/dist/main`, `services/${name}/src/main.ts`]),
  ),
  'services/gateway/dist/main-embedded': 'services/gateway/src/main-embedded.ts',
  'shared/dist/bin/events': 'shared/bin/events.ts',
  'shared/dist/bin/keys': 'shared/bin/keys.ts',
};

/**
 * Our own workspaces are compiled into the bundles; every other package stays a require(), and so
 * does a workspace's package.json, which code finds its workspace's files by (`require.resolve`).
 */
const externalPackages = {
  name: 'external-packages',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@ticketpro/') && !args.path.endsWith('/package.json')
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

async function writeIfChanged(file, contents) {
  const current = await readFile(file).catch(() => undefined);
  if (current?.equals(contents)) return false;
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, file);
  return true;
}

const started = Date.now();
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: Object.fromEntries(Object.entries(ENTRY_POINTS).map(([out, entry]) => [out, path.join(ROOT, entry)])),
  outdir: ROOT,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: 'linked',
  // Stack traces only need the mappings (`node --enable-source-maps`); the sources stay in git.
  sourcesContent: false,
  // Error and class names stay what the sources say, whatever the bundle renames to avoid clashes.
  keepNames: true,
  plugins: [externalPackages],
  write: false,
  logLevel: 'warning',
});
const written = await Promise.all(
  result.outputFiles.map((file) => writeIfChanged(file.path, Buffer.from(file.contents))),
);
const changed = written.filter(Boolean).length;
console.log(
  `build: ${Object.keys(ENTRY_POINTS).length} entry points compiled in ${Date.now() - started} ms` +
    (changed ? ` (${changed} files written)` : ' (unchanged)'),
);
