import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildServer } from '../../src/api/server.js';
import type { LanguageCatalog } from '../../src/contracts/wire.js';
import { FUNCTIONS } from '../../src/insights/functions.js';
import { COMMAND_KEYWORDS } from '../../src/insights/keywords.js';

// The editor's completion list is the language's own catalog over HTTP: every function and alias
// the analyzer accepts, aggregates marked as such (a second, hand-kept list used to drift).
test('GET /api/language lists every function spelling of the catalog, with aggregates marked', async () => {
  const s = await buildServer({ dbPath: ':memory:' });
  try {
    const r = await s.app.inject({ method: 'GET', url: '/api/language' });
    assert.equal(r.statusCode, 200);
    const lang = r.json<LanguageCatalog>();
    const kinds = new Map(lang.functions.map((f) => [f.name, f.kind]));
    for (const f of FUNCTIONS)
      for (const name of [f.name, ...f.aliases])
        assert.equal(kinds.get(name), f.role === 'aggregate' ? 'aggregate' : 'scalar', name);
    assert.equal(
      lang.functions.length,
      FUNCTIONS.reduce((n, f) => n + 1 + f.aliases.length, 0),
    );
    assert.equal(kinds.get('pct'), 'aggregate');
    assert.equal(kinds.get('percentile'), 'aggregate');
    assert.equal(kinds.get('strlen'), 'scalar');
    assert.equal(kinds.get('unmask'), 'scalar'); // in the catalog, missing from the old hand-kept list
    assert.deepEqual(
      lang.commands.map((c) => c.name),
      COMMAND_KEYWORDS.filter((k) => !k.deprecated).map((k) => k.name),
    );
    assert.ok(lang.keywords.includes('by'));
  } finally {
    await s.app.close();
    s.defs.close();
    s.store.close();
  }
});
