import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseQuery } from '../../src/insights/parser.js';
import { Store } from '../../src/store/store.js';
import { Definitions } from '../../src/workspace/definitions.js';
import { PACK_REVISIONS, queryPackDir, readQueryPack, revise } from '../../src/workspace/queryPack.js';

const PACK = queryPackDir();
const MANIFEST = new URL('../fixtures/seed-queries.sha256', import.meta.url);

test("queries/bedrock is byte for byte the guide's 13 seed queries (fixtures/seed-queries.sha256)", () => {
  const expected = new Map(
    readFileSync(MANIFEST, 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const [hash, name] = l.split(/\s+/);
        return [name, hash] as const;
      }),
  );
  const files = readdirSync(PACK).filter((f) => f.endsWith('.insights'));
  assert.deepEqual(files.sort(), [...expected.keys()].sort());
  for (const f of files) {
    const hash = createHash('sha256')
      .update(readFileSync(join(PACK, f)))
      .digest('hex');
    assert.equal(hash, expected.get(f), `${f} differs from the guide's text: put corrections in queryPack.ts`);
  }
});

test("the preloaded Query 13 reads output.outputTokenCount and says what was corrected; the file keeps the guide's text", () => {
  const file = 'q13-iam-role-and-metadata.insights';
  const verbatim = readFileSync(join(PACK, file), 'utf8');
  assert.match(verbatim, /output\.outputTokens as Tokens/);
  const q = readQueryPack().find((x) => x.file === file);
  assert.ok(q);
  const code = q.queryString
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
  assert.doesNotMatch(code, /output\.outputTokens\b/);
  assert.match(q.queryString, /input\.inputTokenCount \+ output\.outputTokenCount as Tokens/);
  assert.match(q.queryString, /^# Corrected: /);
  assert.match(q.description, /Corrected: .*output\.outputTokens.*blank/);
  assert.match(q.name, /\(corrected\)$/);
  assert.equal(q.original?.queryString, verbatim.split('\n').slice(2).join('\n').trimEnd());
  // Every preloaded text parses (the comment line included).
  for (const p of readQueryPack()) assert.deepEqual(parseQuery(p.queryString).diagnostics, [], p.file);
});

test('titles say what the queries do: Query 11 is about oversized requests, not errors', () => {
  const q11 = readQueryPack().find((x) => x.file === 'q11-oversized-requests.insights');
  assert.ok(q11);
  assert.doesNotMatch(q11.name, /error/i);
  assert.match(q11.name, /Oversized/);
  assert.match(q11.description, /does not look at errors/);
});

test('a revision whose text the file no longer has is refused (it would silently stop correcting)', () => {
  assert.ok(PACK_REVISIONS['q13-iam-role-and-metadata.insights']?.replace);
  assert.throws(
    () =>
      revise('q13-iam-role-and-metadata.insights', {
        name: 'Query 13',
        description: '',
        queryString: 'stats count(*)',
      }),
    /no longer has/,
  );
});

test("a store seeded with the guide's verbatim Query 13 gets the correction; an edited preloaded query keeps its edit", async () => {
  // A pack folder with the two files whose revision changes them, seeded without revisions applied
  // (as stores seeded before the revisions were).
  const dir = mkdtempSync(join(tmpdir(), 'bi-pack-'));
  for (const f of ['q11-oversized-requests.insights', 'q13-iam-role-and-metadata.insights'])
    writeFileSync(join(dir, f), readFileSync(join(PACK, f)));
  const store = await Store.open(':memory:');
  try {
    const seeded = await Definitions.open(store, { queryPack: dir });
    // Undo the revisions, as an old store has them, and edit Query 11 by hand.
    for (const q of seeded.listSavedQueries()) {
      const file = readQueryPack(dir).find((p) => p.name === q.name);
      assert.ok(file?.original);
      await seeded.updateSavedQuery(q.id, {
        name: file.original.name,
        queryString: file.file.startsWith('q11') ? 'filter input.inputTokenCount > 9000' : file.original.queryString,
      });
    }
    await store.connection.run(`DELETE FROM meta WHERE key = 'console_seed_revision'`);
    seeded.close();

    const reopened = await Definitions.open(store, { queryPack: dir });
    const byName = new Map(reopened.listSavedQueries().map((q) => [q.name, q]));
    const q13 = byName.get('Query 13: Tokens by IAM role and request metadata (corrected)');
    assert.ok(q13, [...byName.keys()].join(' | '));
    assert.match(q13.queryString, /output\.outputTokenCount as Tokens/);
    // Edited by its owner: left alone.
    const q11 = byName.get('Query 11: Errors or anomalies');
    assert.equal(q11?.queryString, 'filter input.inputTokenCount > 9000');
    reopened.close();
  } finally {
    store.close();
  }
});
