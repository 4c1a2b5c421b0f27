// The house's rules must bite: each rule of `npm run lint` is shown a planted violation and has to
// report it (a rule that silently stopped matching would otherwise pass CI forever), and the
// allowed arrows next to them must pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { ESLint } from 'eslint';
import depcruiseConfig from '../../.dependency-cruiser.mjs';
import {
  BEGIN,
  END,
  LAYERS,
  dependencyRules,
  floors,
  renderLayers,
  unplaced,
  withTable,
} from '../../scripts/architecture.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A miniature tree with the project's folder names; files map path → source. */
function plant(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bi-rules-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function violations(dir: string): Promise<string[]> {
  const cwd = process.cwd();
  process.chdir(dir); // the rules' paths are relative to the cruised root, as in the repository
  try {
    const out = await cruise(['src', 'web/src'], {
      ...depcruiseConfig.options,
      ruleSet: { forbidden: depcruiseConfig.forbidden },
      validate: true,
      tsConfig: undefined,
    });
    const result = out.output as ICruiseResult;
    return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
  } finally {
    process.chdir(cwd);
  }
}

test('the dependency rules catch planted violations of every kind and let the allowed arrows pass', async () => {
  const dir = plant({
    'src/util/errors.ts': 'export const e = 1;\n',
    'src/logs/bad.ts': "import { e } from '../util/errors.js';\nexport const a = e;\n", // logs imports nothing of ours
    'src/api/thing.ts': 'export const t = 1;\n',
    'src/store/store.ts': 'export const s = 1;\n',
    'src/store/up.ts': "import { t } from '../api/thing.js';\nexport const u = t;\n", // upward
    'src/store/schema.ts': 'export const HOT = 1;\n',
    'src/insights/ast.ts': 'export type Span = { start: number };\n',
    'src/insights/diagnostics.ts': "import type { Span } from './ast.js';\nexport type Diagnostic = { span: Span };\n",
    'src/insights/a.ts': "import { HOT } from '../store/schema.js';\nexport const h = HOT;\n", // insights ↛ store
    'src/engines/engine.ts': "import { e } from '../util/errors.js';\nexport const engineValue = e;\n", // a contract leaf with an import
    'src/contracts/wire.ts':
      "import { engineValue } from '../engines/engine.js';\nimport type { Diagnostic } from '../insights/diagnostics.js';\nexport type W = { d: Diagnostic; v: typeof engineValue };\n", // runtime reach up; the type-only one is allowed
    'src/contracts/range.ts': 'export const r = 1;\n',
    'src/cli/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
    'src/cli/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n", // a circle
    'src/api/missing.ts': "import { q } from './nope.js';\nexport const m = q;\n", // unresolvable
    'src/api/fine.ts':
      "import { s } from '../store/store.js';\nimport { r } from '../contracts/range.js';\nexport const f = s + r;\n",
    'web/src/page.ts':
      "import { s } from '../../src/store/store.js';\nimport type { W } from '../../src/contracts/wire.js';\nexport const p: W | number = s;\n", // web ↛ store; contracts allowed
  });
  try {
    assert.deepEqual(await violations(dir), [
      'contract-leaves: src/engines/engine.ts -> src/util/errors.ts',
      'layer:src/insights: src/insights/a.ts -> src/store/schema.ts',
      'layer:src/logs: src/logs/bad.ts -> src/util/errors.ts',
      'layer:src/store: src/store/up.ts -> src/api/thing.ts',
      'layer:web: web/src/page.ts -> src/store/store.ts',
      'no-circular: src/cli/a.ts -> src/cli/b.ts',
      'resolvable: src/api/missing.ts -> ./nope.js',
      'types-only:src/contracts: src/contracts/wire.ts -> src/engines/engine.ts',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ESLint rejects import() with a computed path and accepts a fixed one', async () => {
  const eslint = new ESLint({ cwd: repo });
  const lint = async (code: string) =>
    (await eslint.lintText(code, { filePath: join(repo, 'scripts', 'planted.mjs') }))[0].messages.map((m) => m.ruleId);
  assert.deepEqual(await lint("const p = './x.js';\nawait import(p);\n"), ['no-restricted-syntax']);
  assert.deepEqual(await lint("const n = 'x';\nawait import(`./${n}.js`);\n"), ['no-restricted-syntax']);
  assert.deepEqual(await lint("await import('./x.js');\nawait import(`./y.js`);\n"), []);
  // The TypeScript files get the same rule, with type information.
  const ts = await eslint.lintText("const p: string = './x.js';\nexport const m: unknown = await import(p);\n", {
    filePath: join(repo, 'scripts', 'planted.ts'),
  });
  assert.deepEqual(
    ts[0].messages.map((m) => m.ruleId),
    ['no-restricted-syntax'],
  );
});

test('the layers list is the one source: no upward arrow can be listed, the doc table is generated from it', () => {
  assert.throws(
    () =>
      floors([
        { room: 'src/a', may: ['src/b'], why: '' },
        { room: 'src/b', may: [], why: '' },
      ]),
    /src\/a may import src\/b, which is not listed before it/,
  );
  assert.throws(() => dependencyRules([{ room: 'src/a', may: ['src/zz'], why: '' }]), /upward arrow/);
  const table = renderLayers();
  for (const l of LAYERS) assert.match(table, new RegExp(`\\| \`${l.room.replace('.', '\\.')}\` \\|`));
  const doc = `# x\n\n${BEGIN}\nstale\n${END}\n`;
  assert.notEqual(withTable(doc, table), doc, 'a drifted table is noticed');
  assert.equal(withTable(withTable(doc, table), table), withTable(doc, table));
  assert.throws(() => withTable('# no markers\n', table), /markers/);
});

test('a new folder of src/ must be placed in a room', () => {
  const dir = plant({ 'src/util/errors.ts': '', 'src/newroom/x.ts': '', 'src/loose.ts': '' });
  try {
    assert.deepEqual(unplaced(dir).sort(), ['src/loose.ts', 'src/newroom']);
    assert.deepEqual(unplaced(repo), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
