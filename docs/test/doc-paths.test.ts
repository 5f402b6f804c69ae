import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SERVICE_NAMES } from '@ticketpro/shared';

const ROOT = path.resolve(__dirname, '../..');
const DOCS = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
/** Where the project's own files live: a `code span` starting with one of these names a file or folder. */
const PROJECT_FOLDERS = ['services', 'shared', 'deploy', 'docs', 'bench', 'tests', 'scripts'];

/** Markdown links to relative paths (`[text](docs/X.md)`), without anchors. */
const linksIn = (text: string) =>
  [...text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((target) => !/^[a-z]+:/.test(target));

/** Code spans naming a project path (`shared/src/money.ts`); `<service>` stands for every service. */
const pathsIn = (text: string) =>
  [...text.matchAll(/`([\w.<>/-]+\/[\w.<>/-]*)`/g)]
    .map((m) => m[1])
    .filter((p) => PROJECT_FOLDERS.includes(p.split('/')[0]))
    .flatMap((p) => (p.includes('<service>') ? SERVICE_NAMES.map((s) => p.replace(/<service>/g, s)) : [p]))
    .filter((p) => !p.includes('<'));

describe('README.md and docs/', () => {
  it.each(DOCS)('%s names only files and folders that exist', (doc) => {
    const text = readFileSync(path.join(ROOT, doc), 'utf8');
    const missing = [
      ...linksIn(text).filter((link) => !existsSync(path.resolve(ROOT, path.dirname(doc), link))),
      ...pathsIn(text).filter((p) => !existsSync(path.join(ROOT, p))),
    ];
    expect(missing).toEqual([]);
  });

  it('finds the paths it checks', () => {
    const architecture = readFileSync(path.join(ROOT, 'docs/ARCHITECTURE.md'), 'utf8');
    expect(pathsIn(architecture)).toContain('shared/src/contracts/registry.ts');
    expect(pathsIn('`services/<service>/migrations/index.ts`')).toContain('services/ordering/migrations/index.ts');
    expect(linksIn('[ops](docs/OPERATIONS.md#settings) [web](https://fastify.dev)')).toEqual(['docs/OPERATIONS.md']);
  });
});
