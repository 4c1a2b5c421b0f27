// ESLint (flat config): typescript-eslint's type-checked rules over all TypeScript, React's hook
// rules for the console, and the one dependency rule a graph cannot see (import() of a computed
// path). Formatting is Prettier's (npm run format:check), so no stylistic rules here. A rule is
// switched off for a line only with a reason: `// eslint-disable-next-line RULE -- why`.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** `import(x)` with anything but a fixed string hides an arrow from the type checker and the dependency rules. */
const NON_LITERAL_IMPORT = {
  selector:
    "ImportExpression[source.type!='Literal'][source.type!='TemplateLiteral'], ImportExpression > TemplateLiteral[expressions.length>0]",
  message:
    'import() with a computed path hides a dependency from the type checker and the dependency rules (docs/architecture.md): import the module by a fixed path.',
};

/**
 * The hook rules: rules-of-hooks is an error. The plugin's other recommendations stay warnings
 * (`npm run lint:warnings` lists them): exhaustive-deps (the plugin's own level: several effects
 * are keyed on a serialised value on purpose) and the React Compiler checks (purity, refs,
 * set-state-in-effect, …), which judge whether a component is safe for automatic memoisation.
 * This console is not built with the compiler, and meeting them means restructuring the pages
 * (the QueryPage split into hooks, issue 17), not a local fix.
 */
function reactHooksRules() {
  const rules = Object.fromEntries(
    Object.entries(reactHooks.configs.recommended.rules).map(([name, level]) => [
      name,
      level === 'off' ? 'off' : 'warn',
    ]),
  );
  return { ...rules, 'react-hooks/rules-of-hooks': 'error' };
}

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', 'bench/out/', 'test-artifacts/', 'data/', 'queries/', '**/*.d.ts'],
  },
  js.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['web/vite.config.ts', 'scripts/*.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-non-null-assertion': 'warn',
      // `{}` is `unknown` narrowed past null and the primitives: what is left at the DuckDB and JSON
      // boundaries is a value class (timestamps, decimals, lists) that prints itself, and String() of
      // it is meant. Unknown values are not checked by this rule either (its default).
      '@typescript-eslint/no-base-to-string': [
        'error',
        { ignoredTypeNames: ['Error', 'RegExp', 'URL', 'URLSearchParams', '{}'] },
      ],
      // An async function whose contract is a promise (Fastify handlers, CloudWatch operations,
      // SeriesSource.explain) keeps `async` without an await: a throw inside must stay a rejection,
      // which dropping the keyword would turn into a synchronous throw.
      '@typescript-eslint/require-await': 'off',
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'no-restricted-syntax': ['error', NON_LITERAL_IMPORT],
    },
  },
  {
    // Tests read JSON replies and parsed fixtures (`r.json().error.code`, `JSON.parse(line).record`)
    // whose shape is exactly what they assert: a wrong guess fails the assertion, which is the
    // check. The product code gets no such leeway.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['web/src/**/*.ts', 'web/src/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: globals.browser },
    rules: {
      ...reactHooksRules(),
      // React ignores what an event handler returns; an async handler catches its own errors.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: globals.node },
    rules: { 'no-restricted-syntax': ['error', NON_LITERAL_IMPORT] },
  },
);
