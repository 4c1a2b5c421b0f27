// dependency-cruiser: the allowed arrows between rooms, no circles, every import resolved.
// The rules are generated from LAYERS in scripts/architecture.mjs (the same list renders the table
// in docs/architecture.md); change the list there, not here. `npm run lint:deps` runs it.
// import() with a computed path cannot be seen by any import graph: ESLint forbids it
// (eslint.config.mjs, no-restricted-syntax).
import { dependencyRules } from './scripts/architecture.mjs';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: dependencyRules(),
  options: {
    // Tests are not rooms (they may import anything); packages are not followed. (An includeOnly
    // filter would also drop unresolvable imports, which the `resolvable` rule must see.)
    exclude: { path: '^(test|dist)/' },
    doNotFollow: { path: 'node_modules' },
    // `import type` counts: the contracts' type-only reach is checked, not ignored.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.mjs', '.js'] },
  },
};
