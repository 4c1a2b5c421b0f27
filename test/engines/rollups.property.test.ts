/**
 * Roll-up exactness (issue 12 item 3): random ingests in shuffled batches (so events arrive
 * late into hours already rolled up), DeleteLogStream, DeleteLogGroup, re-pricing and buckets
 * left out of date, and after each step a set of stats queries answered with roll-ups on and
 * off: the same rows and statistics (rows are printed in the shortest text that identifies a
 * double, so equal text is equal bits). Cost sums and averages included: they are exact on both
 * paths (docs/semantics.md R2a). Seeded, so a failure names the seed that shows it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../src/store/store.js';
import { EventWriter } from '../../src/store/writer.js';
import { withDb } from '../../src/store/db.js';
import { deleteEvents } from '../../src/store/events.js';
import { markChanged } from '../../src/store/rollups.js';
import { refreshRollups } from '../../src/store/writer.js';
import { inTransaction } from '../../src/store/transaction.js';
import { generateRecords } from '../../src/demo/generator.js';
import { normalizeBedrockRecord } from '../../src/logs/record.js';
import type { StoredEvent } from '../../src/logs/event.js';
import { loadPriceBook, reprice } from '../../src/pricing/index.js';
import { createDuckDbEngine } from '../../src/engines/duckdb.js';
import type { QueryEngine, QueryRequest, QueryResult } from '../../src/engines/engine.js';

const HOUR = 3_600_000;
const END = Date.parse('2026-06-04T00:00:00Z');
const GROUPS = ['/aws/bedrock/a', '/aws/bedrock/b'];
const STREAMS = ['s1', 's2', 's3'];

/** mulberry32: a small seeded generator, so each run of a seed is the same. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function events(seed: number, n: number): StoredEvent[] {
  const r = rng(seed);
  const out: StoredEvent[] = [];
  for (const rec of generateRecords({ preset: 'demo', records: n, days: 2, seed, end: END, bodies: false })) {
    const logGroup = GROUPS[Math.floor(r() * GROUPS.length)];
    const logStream = STREAMS[Math.floor(r() * STREAMS.length)];
    const res = normalizeBedrockRecord(rec, { logGroup, logStream, ingestionTime: END });
    if (!res.ok) throw new Error(`generated record rejected: ${res.reason}`);
    out.push(res.event);
  }
  // Shuffled: every batch holds hours that earlier batches already rolled up.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Queries over whole hours, partly covered edge hours, an open range, one group, filters. */
function requests(r: () => number): QueryRequest[] {
  const start = END - 30 * HOUR + Math.floor(r() * HOUR);
  const end = END - 3 * HOUR + Math.floor(r() * HOUR);
  const aligned = { startTime: END - 24 * HOUR, endTime: END - 1 };
  const texts = [
    'stats count(*) as n, sum(input.inputTokenCount) as i, sum(output.outputTokenCount) as o, min(input.inputTokenCount) as lo, max(output.outputTokenCount) as hi by modelId | sort modelId',
    'fields input.inputTokenCount + output.outputTokenCount as Tokens | stats sum(Tokens) as TotalTokens, count(*) as Requests by bin(1h) as Hour, requestMetadata.application_name as App | sort Hour desc',
    'filter ispresent(modelId) | stats sum(cost.unpricedTokens) as u, sum(input.inputTokenCount) + sum(output.outputTokenCount) as t by bin(1d)',
    'stats count(cost.total) as c, min(cost.total) as lo, max(cost.total) as hi, count(errorCode) as errs by operation, @logGroup',
    'filter operation in ["Converse", "InvokeModel"] and modelId not like /titan/ | stats count(*) as n, sum(input.cacheReadInputTokenCount) as cr by bin(2h) | sort n desc | limit 5',
    'stats count(*) as n',
    'stats sum(cost.total) as usd by modelId',
    'stats sum(cost.total) as usd, avg(cost.total) as mean, sum(cost.input) as i, avg(cost.output) as o, sum(cost.cacheRead) as cr, avg(cost.cacheWrite) as cw, count(*) as n by bin(1h) as h, modelId | sort h, modelId',
    'filter errorCode = "" or not ispresent(errorCode) | stats sum(cost.total) / count(*) as perCall, sum(cost.output) as o by requestMetadata.application_name | sort perCall desc',
  ];
  const out: QueryRequest[] = [];
  for (const queryString of texts) {
    out.push({ queryString });
    out.push({ queryString, startTime: start, endTime: end });
    out.push({ queryString, ...aligned, logGroups: [GROUPS[1]] });
  }
  return out;
}

async function compare(on: QueryEngine, off: QueryEngine, reqs: QueryRequest[], step: string): Promise<QueryResult[]> {
  const results: QueryResult[] = [];
  for (const req of reqs) {
    const a = await on.run(req);
    const b = await off.run(req);
    assert.equal(a.status, 'Complete', `${step}: ${a.error?.message ?? ''}`);
    assert.deepEqual(
      { ...a, answeredBy: undefined },
      { ...b, answeredBy: undefined },
      `${step}: roll-ups on and off differ for ${JSON.stringify(req)} (${JSON.stringify(a.answeredBy)})`,
    );
    results.push(a);
  }
  return results;
}

function raisedBook(): ReturnType<typeof loadPriceBook> {
  const dir = mkdtempSync(join(tmpdir(), 'bi-rollups-'));
  const file = join(dir, 'prices.json');
  writeFileSync(
    file,
    JSON.stringify({
      version: 'raise',
      prices: [
        { model: 'anthropic.claude-3-haiku-20240307-v1:0', input: 0.5, output: 2.5 },
        { model: 'anthropic.claude-haiku-4-5-20251001-v1:0', input: 1.5, output: 7.5 },
      ],
    }),
  );
  return loadPriceBook({ pricesFile: file });
}

for (const seed of [11, 12, 13]) {
  test(`roll-ups on and off answer the same through ingests, late events, deletes and re-pricing (seed ${seed})`, async () => {
    const store = await Store.open(':memory:');
    const on = createDuckDbEngine(store, { rollups: true });
    const off = createDuckDbEngine(store, { rollups: false });
    const r = rng(seed * 7);
    const reqs = requests(r);
    let fromRollup = 0;
    const tally = (rs: QueryResult[]) => (fromRollup += rs.filter((x) => x.answeredBy?.source === 'rollup').length);
    try {
      const all = events(seed, 2400);
      const writer = new EventWriter(store);
      const quarter = all.length / 4;
      for (let b = 0; b < 4; b++) {
        await writer.append(all.slice(b * quarter, (b + 1) * quarter));
        tally(await compare(on, off, reqs, `after batch ${b + 1}`));
        if (b === 1) {
          await withDb(store, (db) =>
            db.write(() =>
              deleteEvents(store, db, { logGroup: GROUPS[1], logStream: STREAMS[0] }, { dropCatalog: true }),
            ),
          );
          tally(await compare(on, off, reqs, 'after DeleteLogStream'));
        }
        if (b === 2) {
          const res = await reprice(store, { book: raisedBook() });
          assert.ok((res.applied?.priced ?? 0) > 0, 're-pricing changed some rows');
          tally(await compare(on, off, reqs, 'after reprice'));
        }
      }
      // Buckets out of date (a write whose refresh has not run yet): read from the events.
      await store.writing(() =>
        inTransaction(store.connection, async () => {
          const hour = END - 5 * HOUR;
          const where = `log_group = '${GROUPS[0]}' AND ts >= ${hour} AND ts < ${hour + HOUR}`;
          await markChanged(store.connection, `SELECT log_group, ts FROM events WHERE ${where}`);
          await store.connection.run(`UPDATE events SET input_tokens = input_tokens + 7 WHERE ${where}`);
        }),
      );
      const dirty = await compare(on, off, reqs, 'with an out-of-date bucket');
      tally(dirty);
      assert.ok(
        dirty.some((x) => (x.answeredBy?.dirtyBuckets ?? 0) > 0),
        'some roll-up answer read an out-of-date bucket from the events',
      );
      await withDb(store, (db) =>
        db.write(() => deleteEvents(store, db, { logGroup: GROUPS[0] }, { dropCatalog: true })),
      );
      tally(await compare(on, off, reqs, 'after DeleteLogGroup'));
      assert.ok(fromRollup > reqs.length, `the roll-up answered only ${fromRollup} queries`);
      const costs = reqs.filter((q) => /sum\(cost\.total\)/.test(q.queryString));
      for (const q of costs) {
        const a = await on.run(q);
        assert.equal(a.answeredBy?.source, 'rollup', `${q.queryString}: ${JSON.stringify(a.answeredBy)}`);
      }
    } finally {
      await on.close();
      await off.close();
      store.close();
    }
  });
}

/** A store of `n` generated events whose costs are then set by `set` (SQL over events), roll-ups refreshed. */
async function storeWithCosts(seed: number, n: number, set: string): Promise<Store> {
  const store = await Store.open(':memory:');
  await new EventWriter(store).append(events(seed, n).map((e) => ({ ...e, logGroup: GROUPS[0] })));
  await store.writing(() =>
    inTransaction(store.connection, async () => {
      await markChanged(store.connection, 'SELECT log_group, ts FROM events');
      await store.connection.run(`UPDATE events SET ${set}`);
    }),
  );
  await refreshRollups(store);
  return store;
}

test('a cost sum is the exact sum, the same from the roll-up and from the events (0.1 + 0.2 is 0.3)', async () => {
  // Doubles give 0.30000000000000004 for 0.1 + 0.2 in any order; ten of each must be 3 exactly.
  const store = await storeWithCosts(21, 20, 'cost_total = CASE WHEN seq % 2 = 0 THEN 0.1 ELSE 0.2 END');
  const on = createDuckDbEngine(store, { rollups: true });
  const off = createDuckDbEngine(store, { rollups: false });
  try {
    const req = { queryString: 'stats sum(cost.total) as usd, avg(cost.total) as mean, count(*) as n' };
    const a = await on.run(req);
    const b = await off.run(req);
    assert.equal(a.answeredBy?.source, 'rollup', JSON.stringify(a.answeredBy));
    assert.equal(b.answeredBy?.source, 'events');
    const expected = [
      { field: 'usd', value: '3' },
      { field: 'mean', value: '0.15' },
      { field: 'n', value: '20' },
    ];
    assert.deepEqual(a.rows, [expected]);
    assert.deepEqual(b.rows, [expected]);
  } finally {
    await on.close();
    await off.close();
    store.close();
  }
});

test('a hostile huge cost (or a NaN) is summed from the events, in doubles, and no query fails', async () => {
  const store = await storeWithCosts(
    22,
    60,
    "cost_total = CASE WHEN seq = 3 THEN 1e30 WHEN seq = 4 THEN 'nan'::DOUBLE WHEN seq = 5 THEN 1e6 ELSE cost_total END, cost_input = CASE WHEN seq = 6 THEN -1e6 ELSE cost_input END",
  );
  const on = createDuckDbEngine(store, { rollups: true });
  const off = createDuckDbEngine(store, { rollups: false });
  try {
    const texts = [
      'stats sum(cost.total) as usd, avg(cost.total) as mean by modelId | sort modelId',
      'stats sum(cost.input) as i, avg(cost.input) as mean',
      'stats sum(cost.total) as usd by bin(1h) as h | sort h',
    ];
    let hostile = 0;
    for (const queryString of texts) {
      const a = await on.run({ queryString });
      const b = await off.run({ queryString });
      assert.equal(a.status, 'Complete', a.error?.message);
      assert.equal(b.status, 'Complete', b.error?.message);
      assert.deepEqual({ ...a, answeredBy: undefined }, { ...b, answeredBy: undefined }, queryString);
      if (a.answeredBy?.source === 'events') {
        assert.match(a.answeredBy.reason ?? '', /a cost of 1e6 USD or more/);
        hostile++;
      }
    }
    assert.equal(hostile, texts.length, 'every query met a hostile cost in some group');
    const rows = (await off.run({ queryString: texts[1] })).rows;
    assert.deepEqual(
      rows[0].map((c) => c.field),
      ['i', 'mean'],
    );
    // A group without a hostile cost still reads the roll-up (the bound is per group).
    const clean = await on.run({
      queryString: 'filter modelId != "x" | stats sum(cost.output) as o by modelId',
    });
    assert.equal(clean.answeredBy?.source, 'rollup', JSON.stringify(clean.answeredBy));
  } finally {
    await on.close();
    await off.close();
    store.close();
  }
});

test('events written by plain SQL behind the store are seen: the events answer until a write rebuilds the roll-up', async () => {
  const store = await Store.open(':memory:');
  const on = createDuckDbEngine(store, { rollups: true });
  const off = createDuckDbEngine(store, { rollups: false });
  const req = {
    queryString:
      'stats count(*) as n, sum(input.inputTokenCount) as i, sum(cost.total) as usd by modelId | sort modelId',
  };
  const same = async (step: string): Promise<QueryResult> => {
    const a = await on.run(req);
    const b = await off.run(req);
    assert.equal(a.status, 'Complete', a.error?.message);
    assert.deepEqual({ ...a, answeredBy: undefined }, { ...b, answeredBy: undefined }, step);
    return a;
  };
  try {
    const all = events(23, 300);
    const writer = new EventWriter(store);
    await writer.append(all.slice(0, 200));
    assert.equal((await same('before')).answeredBy?.source, 'rollup');
    // A copy of 50 events with new seqs, written without markChanged (as a hand-written loader would).
    await store.connection.run(
      `INSERT INTO events BY NAME SELECT * REPLACE (seq + 1000000 AS seq) FROM events ORDER BY seq LIMIT 50`,
    );
    const inserted = await same('after a plain INSERT');
    assert.equal(inserted.answeredBy?.source, 'events');
    assert.match(inserted.answeredBy?.reason ?? '', /covers 200 events where the store holds 250/);
    // A plain DELETE of as many events as were inserted: the count matches again, the newest seq does not.
    await store.connection.run(`DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT 50)`);
    const swapped = await same('after a plain DELETE of as many');
    assert.equal(swapped.answeredBy?.source, 'events');
    assert.match(swapped.answeredBy?.reason ?? '', /newest event is seq/);
    // A write through the store refreshes, finds the roll-up short and rebuilds it.
    await writer.append(all.slice(200));
    const rebuilt = await same('after a write through the store');
    assert.equal(rebuilt.answeredBy?.source, 'rollup', JSON.stringify(rebuilt.answeredBy));
  } finally {
    await on.close();
    await off.close();
    store.close();
  }
});

test('a token sum that reaches 2^53 is answered from the events (the roll-up cannot prove a double sum exact there)', async () => {
  const store = await Store.open(':memory:');
  const on = createDuckDbEngine(store, { rollups: true });
  const off = createDuckDbEngine(store, { rollups: false });
  try {
    const big = events(5, 40).map((e, i) =>
      i < 3 ? { ...e, timestamp: END - 10 * HOUR + i, logGroup: GROUPS[0], inputTokens: 2 ** 52 } : e,
    );
    await new EventWriter(store).append(big);
    const req = { queryString: 'stats sum(input.inputTokenCount + output.outputTokenCount) as t, count(*) as n' };
    const a = await on.run(req);
    const b = await off.run(req);
    assert.equal(a.status, 'Complete', a.error?.message);
    assert.deepEqual({ ...a, answeredBy: undefined }, { ...b, answeredBy: undefined });
    assert.deepEqual(a.answeredBy, {
      source: 'events',
      reason: 'a token sum reached 2^53, beyond what the roll-up proves exact',
    });
    // Below the bound the roll-up answers the same query.
    const small = await on.run({ ...req, logGroups: [GROUPS[1]] });
    assert.equal(small.answeredBy?.source, 'rollup', JSON.stringify(small.answeredBy));
  } finally {
    await on.close();
    await off.close();
    store.close();
  }
});
