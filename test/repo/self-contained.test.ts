// A bare clone must build and pass its own tests: nothing under the code, tests, scripts or
// benches may read from outside the repository (the research folder beside it is not shipped).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ROOTS = ['src', 'test', 'scripts', 'bench', 'web/src', 'package.json', '.ci'];
const CODE = /\.(ts|tsx|mts|mjs|js|json|sh)$|^run$/;
// A path that leaves the repository: ../shared, /work/shared, or any absolute /work/ path.
const OUTSIDE = /(\.\.\/)+shared\/|\/work\/shared\b|['"`]\/work\//;

function files(path: string, out: string[]): string[] {
  const st = statSync(path);
  if (st.isFile()) {
    if (CODE.test(path.split('/').pop() ?? '')) out.push(path);
    return out;
  }
  for (const name of readdirSync(path)) if (name !== 'node_modules') files(join(path, name), out);
  return out;
}

test('no code, test, script or bench reads a file outside the repository', () => {
  const offenders: string[] = [];
  for (const root of ROOTS) {
    for (const f of files(join(repo, root), [])) {
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.replace(/^\s*(\/\/|\*|\/\*|#).*$/, ''); // comments may cite the research
          if (OUTSIDE.test(code)) offenders.push(`${relative(repo, f)}:${i + 1}: ${line.trim()}`);
        });
    }
  }
  assert.deepEqual(
    offenders,
    [],
    'copy the file into the repository (data/ or test/fixtures/) with its source and date',
  );
});
