/**
 * The unconfirmed defaults (src/insights/decisions.ts, docs/semantics.md "Unconfirmed
 * defaults"): each is one switch, and flipping it changes the result of the query it governs.
 * The default side is also pinned by the conformance suite (semantics/unconfirmed-defaults.json).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileQuery } from '../../src/insights/compile.js';
import { UNCONFIRMED_DEFAULTS, type UnconfirmedDefaults } from '../../src/insights/decisions.js';
import type { QueryEngine } from '../../src/engines/engine.js';
import { withEngine, bedrock, objects, BEDROCK_GROUP } from '../engines/helpers.js';
import { readQueryCatalog } from '../../src/store/catalog.js';
import type { Store } from '../../src/store/store.js';

const events = [
  { ts: 1000, record: bedrock({ requestId: 'a', input: 30 }) },
  { ts: 2000, record: bedrock({ requestId: 'b', input: 10, extra: { errorCode: 'ThrottlingException' } }) },
  { ts: 3000, record: bedrock({ requestId: 'c', input: 20 }) },
];

/** Run `query` with the given switches (the others at their defaults). */
async function run(engine: QueryEngine, store: Store, query: string, flip: Partial<UnconfirmedDefaults> = {}) {
  const c = compileQuery(query, {
    catalog: await readQueryCatalog(store),
    defaults: { ...UNCONFIRMED_DEFAULTS, ...flip },
    request: { logGroups: [BEDROCK_GROUP] },
  });
  assert.ok(c.plan, JSON.stringify(c.diagnostics));
  const r = await engine.run({
    request: { queryString: query, logGroups: [BEDROCK_GROUP] },
    text: c.text,
    diagnostics: c.diagnostics,
    columns: c.columns,
    plan: c.plan,
    now: c.now,
  });
  assert.equal(r.status, 'Complete', r.error?.message);
  return objects(r);
}

test('UNCONFIRMED_DEFAULTS holds the spec-recommended side of each switch', () => {
  assert.deepEqual(UNCONFIRMED_DEFAULTS, {
    notEqualMatchesMissing: false,
    statsRowWithoutEvents: false,
    sortDescendingByDefault: false,
  });
});

test('switch notEqualMatchesMissing: filter errorCode != "" keeps only the error records, or every record', async () => {
  await withEngine(events, async (engine, store) => {
    const q = 'filter errorCode != "" | fields requestId | sort requestId asc';
    assert.deepEqual(await run(engine, store, q), [{ requestId: 'b' }]);
    assert.deepEqual(await run(engine, store, q, { notEqualMatchesMissing: true }), [
      { requestId: 'a' },
      { requestId: 'b' },
      { requestId: 'c' },
    ]);
    // The value form follows the same switch.
    const v = 'fields requestId, errorCode != "x" as ne | sort requestId asc';
    assert.deepEqual(
      (await run(engine, store, v)).map((r) => r.ne),
      ['0', '1', '0'],
    );
    assert.deepEqual(
      (await run(engine, store, v, { notEqualMatchesMissing: true })).map((r) => r.ne),
      ['1', '1', '1'],
    );
  });
});

test('switch statsRowWithoutEvents: stats over zero events gives no row, or one row with count 0', async () => {
  await withEngine(events, async (engine, store) => {
    const q = 'filter requestId = "nobody" | stats count(*) as n, sum(input.inputTokenCount) as t';
    assert.deepEqual(await run(engine, store, q), []);
    assert.deepEqual(await run(engine, store, q, { statsRowWithoutEvents: true }), [{ n: '0' }]);
    // Grouped stats have no group to show either way.
    const g = 'filter requestId = "nobody" | stats count(*) as n by modelId';
    assert.deepEqual(await run(engine, store, g, { statsRowWithoutEvents: true }), []);
  });
});

test('switch sortDescendingByDefault: sort without a direction is ascending, or descending', async () => {
  await withEngine(events, async (engine, store) => {
    const q = 'fields requestId, input.inputTokenCount as t | sort t';
    assert.deepEqual(
      (await run(engine, store, q)).map((r) => r.t),
      ['10', '20', '30'],
    );
    assert.deepEqual(
      (await run(engine, store, q, { sortDescendingByDefault: true })).map((r) => r.t),
      ['30', '20', '10'],
    );
    // An explicit direction is never affected.
    assert.deepEqual(
      (
        await run(engine, store, 'fields input.inputTokenCount as t | sort t asc', { sortDescendingByDefault: true })
      ).map((r) => r.t),
      ['10', '20', '30'],
    );
  });
});
