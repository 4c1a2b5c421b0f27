import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueryEngine, QueryRequest, QueryResult } from '../../src/engines/engine.js';
import type { Store } from '../../src/store/store.js';
import { compareResult } from './compare.js';
import { loadCases, queryText, type LoadedCase } from './cases.js';
import { openDatasetStore } from './datasets.js';
import { toMillis } from './paths.js';
import { ENGINES, loadSavedQueries, resolveEngine, skipReason, staleSkips, type ResolvedEngine } from './engines.js';
import { isErrorExpectation, type ErrorExpectation } from './types.js';

/**
 * The conformance suite: every case of cases/** run against one engine ($CONFORMANCE_ENGINE,
 * default the embedded DuckDB engine). Run one area with
 * `node --import tsx --test --test-name-pattern="commands/stats" test/conformance/conformance.test.ts`.
 */

interface Loaded {
  store: Store;
  engine: QueryEngine;
  /** With `duckdb` (roll-ups on): the same store read from events only, for the on/off comparison. */
  eventsOnly?: QueryEngine;
}
const loaded = new Map<string, Promise<Loaded>>();
// A bad $CONFORMANCE_ENGINE is reported by every test (below), not as a load error of the file.
const selected: ResolvedEngine | Error = await resolveEngine().catch((e: unknown) =>
  e instanceof Error ? e : new Error(String(e)),
);
const saved = loadSavedQueries();
const savedQueries = (name: string) => (Object.prototype.hasOwnProperty.call(saved, name) ? saved[name] : undefined);

function datasetEngine(name: string): Promise<Loaded> {
  let p = loaded.get(name);
  if (!p) {
    p = (async () => {
      if (selected instanceof Error) throw selected;
      const { store, events } = await openDatasetStore(name);
      const ctx = { store, dataset: name, events, savedQueries };
      const engine = await selected.factory(ctx);
      if (selected.name !== 'duckdb') return { store, engine };
      return { store, engine, eventsOnly: await ENGINES['duckdb-events'].factory(ctx) };
    })();
    loaded.set(name, p);
  }
  return p;
}

after(async () => {
  for (const p of loaded.values()) {
    try {
      const { store, engine, eventsOnly } = await p;
      await engine.close();
      await eventsOnly?.close();
      store.close();
    } catch {
      /* the failure was already reported by the case that loaded it */
    }
  }
});

function request(lc: LoadedCase): QueryRequest {
  const c = lc.case;
  const req: QueryRequest = { queryString: queryText(c) };
  if (c.logGroups) req.logGroups = c.logGroups;
  if (c.start) req.startTime = toMillis(c.start, c.name);
  if (c.end) req.endTime = toMillis(c.end, c.name);
  if (c.limit !== undefined) req.limit = c.limit;
  if (c.noRowCap) req.noRowCap = true;
  return req;
}

interface Failure {
  codes: string[];
  messages: string[];
}

function describeThrown(e: unknown): Failure {
  const codes: string[] = [];
  const messages: string[] = [];
  if (e instanceof Error) messages.push(e.message);
  else messages.push(String(e));
  const o = e as { code?: unknown; details?: { diagnostics?: unknown } } | null;
  if (o && typeof o.code === 'string') codes.push(o.code);
  const diags = o?.details?.diagnostics;
  if (Array.isArray(diags)) {
    for (const d of diags as { code?: unknown; message?: unknown }[]) {
      if (typeof d?.code === 'string') codes.push(d.code);
      if (typeof d?.message === 'string') messages.push(d.message);
    }
  }
  return { codes, messages };
}

async function expectError(engine: QueryEngine, req: QueryRequest, exp: ErrorExpectation): Promise<void> {
  let result: QueryResult | undefined;
  let failure: Failure | undefined;
  try {
    result = await engine.run(req);
  } catch (e) {
    failure = describeThrown(e);
  }
  if (!failure) {
    if (result?.status === 'Failed' && result.error)
      failure = { codes: [result.error.code], messages: [result.error.message] };
    else
      assert.fail(
        `expected an error ${JSON.stringify(exp)}, but the query ran: status ${result?.status}, ${result?.rows.length} rows`,
      );
  }
  // The static check must agree with the run, and may carry the precise diagnostic codes.
  const diags = await engine.check(req.queryString, req.logGroups);
  for (const d of diags) {
    if (d.severity !== 'error') continue;
    failure.codes.push(d.code);
    failure.messages.push(d.message);
  }
  const codeOk = failure.codes.some((c) => c.startsWith(exp.error));
  const textOk =
    exp.errorIncludes === undefined ||
    failure.messages.some((m) => m.toLowerCase().includes(exp.errorIncludes!.toLowerCase()));
  assert.ok(
    codeOk && textOk,
    `expected error code ${JSON.stringify(exp.error)}${exp.errorIncludes ? ` mentioning ${JSON.stringify(exp.errorIncludes)}` : ''}; ` +
      `got codes ${JSON.stringify(failure.codes)} messages ${JSON.stringify(failure.messages)}`,
  );
}

const cases = loadCases();
const skip = selected instanceof Error ? [] : selected.skip;

test('the skip list names only existing cases, each with a reason', () => {
  assert.deepEqual(
    staleSkips(
      skip,
      cases.map((lc) => `${lc.file} › ${lc.case.name}`),
    ),
    [],
  );
  for (const s of skip) assert.ok(s.reason.trim().length > 0, `a skip without a reason: ${s.cases.join(', ')}`);
});

for (const lc of cases) {
  const reason = skipReason(skip, lc.file, lc.case.name);
  test(`${lc.file} › ${lc.case.name}`, reason ? { skip: reason } : {}, async () => {
    const { engine, eventsOnly } = await datasetEngine(lc.case.dataset);
    const req = request(lc);
    const exp = lc.case.expect;
    if (isErrorExpectation(exp)) {
      await expectError(engine, req, exp);
      return;
    }
    let result: QueryResult;
    try {
      result = await engine.run(req);
    } catch (e) {
      const f = describeThrown(e);
      assert.fail(`the query failed: ${JSON.stringify(f)}\nrule: ${lc.case.rule}\nquery:\n${req.queryString}`);
    }
    assert.equal(
      result.status,
      'Complete',
      `status ${result.status}${result.error ? `: ${result.error.code} ${result.error.message}` : ''}`,
    );
    const problems = compareResult(exp, result);
    if (problems.length) {
      assert.fail(`rule: ${lc.case.rule}\nquery:\n${req.queryString}\n  ${problems.join('\n  ')}`);
    }
    if (eventsOnly) await sameAsEvents(eventsOnly, req, result);
  });
}

/** Cases the hourly roll-up answered (the `duckdb` run), so that run cannot silently read only events. */
const answeredByRollup: string[] = [];

/** Roll-ups on and off give the same rows, statistics and warnings. */
async function sameAsEvents(eventsOnly: QueryEngine, req: QueryRequest, withRollups: QueryResult): Promise<void> {
  const plain = await eventsOnly.run(req);
  assert.equal(plain.answeredBy?.source, 'events', 'roll-ups off: the events answer');
  assert.ok(withRollups.answeredBy, 'roll-ups on: the answer says which relation answered');
  if (withRollups.answeredBy.source === 'rollup') answeredByRollup.push(req.queryString);
  const strip = (r: QueryResult) => ({ ...r, answeredBy: undefined });
  assert.deepEqual(
    strip(withRollups),
    strip(plain),
    `roll-ups on and off differ (${JSON.stringify(withRollups.answeredBy)})`,
  );
}

test(
  'with roll-ups on, the stats cases over whole hours are answered from the roll-up',
  { skip: selected instanceof Error || selected.name !== 'duckdb' },
  () => {
    // The seed queries over the guide data set alone hold several such cases (Q2 without avg…).
    assert.ok(
      answeredByRollup.length >= 10,
      `only ${answeredByRollup.length} cases used the roll-up:\n${answeredByRollup.join('\n---\n')}`,
    );
  },
);
