import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The repository's ESLint config (eslint.config.mjs) keeps workspaces apart and migrations out of
 * the source. Each case lints a few lines as if they were a file at that path, through ESLint's
 * Node API with the real config; type information is switched off and only the import rules run,
 * so a case takes milliseconds instead of building the whole TypeScript program.
 */
const ROOT = path.resolve(__dirname, '../..');
const IMPORT_RULES = ['import/no-relative-packages', 'no-restricted-imports'];

interface LintCase {
  filePath: string;
  code: string;
}

/** ESLint loads its config with `import()`, which jest's module sandbox refuses: lint in a plain node. */
const LINT_SCRIPT = `
import { ESLint } from 'eslint';
const { cases, rules } = JSON.parse(process.argv[1]);
const eslint = new ESLint({
  overrideConfig: { files: ['**/*.ts'], languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => rules.includes(ruleId),
});
const results = [];
for (const { filePath, code } of cases) {
  const [result] = await eslint.lintText(code, { filePath });
  results.push(result.messages.map((m) => m.ruleId ?? 'fatal: ' + m.message));
}
process.stdout.write(JSON.stringify(results));
`;

async function ruleIdsFor(cases: LintCase[]): Promise<string[][]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', LINT_SCRIPT, JSON.stringify({ cases, rules: IMPORT_RULES })],
    { cwd: ROOT },
  );
  return JSON.parse(stdout) as string[][];
}

/** Each case with the rule it must break. */
const FORBIDDEN: [LintCase, string][] = [
  [
    {
      filePath: 'services/catalog/src/inventory/example.ts',
      code: "export { money } from '../../../../shared/src/money';",
    },
    'import/no-relative-packages',
  ],
  [
    {
      filePath: 'services/catalog/src/inventory/example.ts',
      code: "export { PAYMENT_ATTEMPT_STATES } from '../../../ordering/src/models/constants';",
    },
    'import/no-relative-packages',
  ],
  [
    { filePath: 'bench/example.ts', code: "export { registerUser } from '../tests/support/users';" },
    'import/no-relative-packages',
  ],
  [
    { filePath: 'services/catalog/src/example.ts', code: "export { money } from '@ticketpro/shared/src/money';" },
    'no-restricted-imports',
  ],
  [
    {
      filePath: 'services/catalog/src/ticket-types/example.ts',
      code: "import type { HOLD_STATES } from '../../migrations/006_create_holds';\nexport type S = typeof HOLD_STATES;",
    },
    'no-restricted-imports',
  ],
  [
    {
      filePath: 'services/catalog/test/unit/example.ts',
      code: "export { up } from '../../migrations/006_create_holds';",
    },
    'no-restricted-imports',
  ],
];

/** Cases that break no import rule. */
const ALLOWED: LintCase[] = [
  {
    filePath: 'services/catalog/src/example.ts',
    code: [
      "export { migrations } from '../migrations';",
      "export { HOLD_STATES } from './models/constants';",
      "export { money } from '@ticketpro/shared';",
    ].join('\n'),
  },
  {
    filePath: 'services/gateway/src/example.ts',
    code: "export { prepareEmbeddedDatabases } from '@ticketpro/shared/embedded';",
  },
  { filePath: 'services/catalog/migrations/example.ts', code: "export { up } from './006_create_holds';" },
  {
    filePath: 'tests/support/example.ts',
    code: [
      "export { testConfig } from '@ticketpro/shared/testing';",
      "export { loadSigningKeys } from '@ticketpro/identity/src/keys/load-signing-keys';",
      "export { migrations } from '@ticketpro/identity/migrations';",
    ].join('\n'),
  },
  { filePath: 'bench/example.ts', code: "export { registerUser } from '@ticketpro/tests/support/users';" },
];

describe('import rules', () => {
  let found: string[][];
  // One node process lints every case: loading ESLint and its plugins is most of the time.
  beforeAll(async () => {
    found = await ruleIdsFor([...FORBIDDEN.map(([lintCase]) => lintCase), ...ALLOWED]);
  }, 120_000);

  it('reports a relative path into another workspace, a path into a package, and a migration file', () => {
    expect(found.slice(0, FORBIDDEN.length)).toEqual(FORBIDDEN.map(([, rule]) => [rule]));
  });

  it('lets package entries, the migrations index and test code reaching in by package name pass', () => {
    expect(found.slice(FORBIDDEN.length)).toEqual(ALLOWED.map(() => []));
  });
});
