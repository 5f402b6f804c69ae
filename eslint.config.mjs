// ESLint finds mistakes; Prettier owns formatting (eslint-config-prettier turns off every rule that
// would disagree with it). `npm run lint` runs both.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importPlugin from 'eslint-plugin-import';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** A workspace is used through its package entry (`@ticketpro/x`), never a path into its files. */
const workspaceImports = {
  group: ['@ticketpro/*/*', '!@ticketpro/shared/testing', '!@ticketpro/shared/embedded'],
  message:
    'Import the package entry (@ticketpro/<name>, @ticketpro/shared/testing or @ticketpro/shared/embedded), not a file inside it.',
};

/** Migrations are frozen history: source reads shared constants from a models/constants module. */
const migrationFileImports = {
  regex: '(^|/)migrations/[^/]+$',
  message:
    'Do not import a migration file outside migrations/: move the constant to a models/constants module and import it from there (the migrations index is fine).',
};

/** Production code: what `npm run build` bundles (the migrations have their own block). */
const SOURCE = ['shared/src/**/*.ts', 'shared/bin/**/*.ts', 'services/*/src/**/*.ts'];
/** Test and benchmark code, which may reach into a workspace's files (white-box), by package name. */
const TEST_CODE = [
  '**/test/**/*.ts',
  'tests/**/*.ts',
  'bench/**/*.ts',
  'shared/testing.ts',
  'shared/src/testing/**/*.ts',
];

export default tseslint.config(
  { ignores: ['**/dist/', '**/node_modules/', '**/coverage/', '**/.data/'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } } },
    rules: {
      // A relative path into another workspace (../../shared/src/…, ../tests/support/…) bypasses its
      // package; this rule compares the nearest package.json of the importer and of the target.
      'import/no-relative-packages': 'error',
      'no-restricted-imports': ['error', { patterns: [migrationFileImports] }],
      // Unused locals and parameters are already compile errors (tsconfig noUnused*); `_` marks an unused one on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      // A `let` declared before a closure that reads it, and assigned once later, cannot be a `const`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Knex query builders (`trx('holds')…first()`) and decoded tokens are untyped and yield `any` rows;
      // their shapes are fixed by the migrations and checked by the tests. Calling or returning `any` stays an error.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // `async` without `await` is deliberate here: fastify plugins and hooks, handlers and stubs that
      // must return a promise, and functions whose throws must become rejections.
      '@typescript-eslint/require-await': 'off',
      // Options and port objects are built from closures (no `this`) but typed with method syntax,
      // which this rule cannot tell apart from class methods.
      '@typescript-eslint/unbound-method': 'off',
      // `{}` is meant at the type level: `{} extends P` asks whether every param is optional, and it is
      // the empty default of the generic extension points.
      '@typescript-eslint/no-empty-object-type': 'off',
      // Misreads the `keyof T & string` idiom (keys narrowed to strings) as a redundant union.
      '@typescript-eslint/no-redundant-type-constituents': 'off',
    },
  },
  {
    // Production code may use another workspace only through its entry (`@ticketpro/x`).
    files: SOURCE,
    rules: { 'no-restricted-imports': ['error', { patterns: [workspaceImports, migrationFileImports] }] },
  },
  {
    // Migrations import each other's index and constants freely; the entry rule still applies.
    files: ['services/*/migrations/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [workspaceImports] }] },
  },
  {
    // Tests read parsed JSON bodies and mock internals as `any` on purpose; the assertions check them.
    files: TEST_CODE,
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
  prettier,
);
