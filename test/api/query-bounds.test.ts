import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/api/server.js';
import { generateStore, postJson, runConsoleQuery, sleep, spawnServe, type View } from './serveProcess.js';

// The reliability campaign's R7–R13 against the real `serve` over HTTP on 127.0.0.1, on a store
// the demo generator makes (200,000 records of about 750 bytes). Memory and outcomes are
// asserted, not speed; the few time bounds are generous (the machine is shared).

const RECORDS = 200_000;
const ALL = { startTime: 0, endTime: 4102444800000 };
/** Several seconds on this store: a sort of every message. */
const HEAVY = 'fields @message | sort @message desc';
const LIGHT = 'stats count(*) as n by bin(1h)';

let dir = '';
let db = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bi-bounds-'));
  db = await generateStore(dir, RECORDS);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function info(base: string): Promise<{ engine: string; queries: { running: number; waiting: number } }> {
  const r = await fetch(`${base}/api/info`);
  assert.equal(r.status, 200);
  return (await r.json()) as { engine: string; queries: { running: number; waiting: number } };
}

async function startNoWait(base: string, queryString: string): Promise<string> {
  const r = await postJson(`${base}/api/queries`, { queryString, ...ALL, waitMs: 0, history: false });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json.queryId as string;
}

async function statusOf(base: string, id: string): Promise<string> {
  return ((await (await fetch(`${base}/api/queries/${id}`)).json()) as View).status;
}

test('a console limit beyond 100,000 (or not a whole number) is refused; the server stays up', async () => {
  const s = await spawnServe(['--db', db]);
  try {
    for (const limit of [100_000_000, 100_001, 0, -5, 2.5, '10']) {
      const r = await postJson(`${s.url}/api/queries`, { queryString: 'fields @message', ...ALL, limit, waitMs: 0 });
      assert.equal(r.status, 400, `limit ${limit}`);
      const e = r.json.error as { code: string; message: string };
      assert.equal(e.code, 'INVALID_REQUEST');
      assert.match(e.message, /limit must be a whole number from 1 to 100000.*export/);
    }
    assert.equal((await info(s.url)).engine, 'available');
    const v = await runConsoleQuery(s.url, 'fields @timestamp, requestId', { limit: 3 });
    assert.equal(v.status, 'Complete');
    assert.equal(v.rows.length, 3);
  } finally {
    await s.stop();
  }
});

test('20 concurrent "| limit 100000" queries: bounded memory, each ends with rows or a coded error, the server lives on', async () => {
  // DuckDB may use 1 GB here; the campaign saw 7.4 GB and two failures with 20 such queries on 1M
  // records, and the code before this change reached over 6 GB on this 200k store.
  const s = await spawnServe(['--db', db, '--memory-limit', '1GB']);
  try {
    const views = await Promise.all(
      Array.from({ length: 20 }, () => runConsoleQuery(s.url, 'fields @timestamp, @message | limit 100000')),
    );
    let complete = 0;
    for (const v of views) {
      if (v.status === 'Complete') {
        complete++;
        // 100,000 messages would be ~100 MB held per query: the server cuts and says why.
        assert.ok(v.rows.length < 100_000 && v.rows.length > 1000, `${v.rows.length} rows`);
        assert.ok(v.truncated);
        assert.ok(v.warnings.some((w) => w.code === 'RESULT_TOO_LARGE'));
      } else {
        assert.equal(v.status, 'Failed');
        assert.equal(v.error?.code, 'QUERY_OUT_OF_MEMORY', v.error?.message);
      }
    }
    assert.ok(complete >= 10, `${complete} of 20 complete`);
    const peak = s.peakMb();
    assert.ok(peak < 3000, `peak resident memory ${Math.round(peak)} MB`);
    assert.equal((await info(s.url)).engine, 'available');
  } finally {
    await s.stop();
  }
});

test('heavy queries wait in a bounded queue; a light query is answered while they still run', async () => {
  const s = await spawnServe(['--db', db, '--max-queries', '2']);
  try {
    const heavy: string[] = [];
    for (let i = 0; i < 8; i++) heavy.push(await startNoWait(s.url, `${HEAVY} | limit ${10 + i}`));
    await sleep(300);
    const busy = await info(s.url);
    // Two general slots and the express slot; the rest wait.
    assert.ok(busy.queries.running <= 3, JSON.stringify(busy.queries));
    assert.ok(busy.queries.waiting >= 5, JSON.stringify(busy.queries));

    const t0 = Date.now();
    const light = await runConsoleQuery(s.url, LIGHT);
    const took = Date.now() - t0;
    assert.equal(light.status, 'Complete');
    assert.ok(light.rows.length > 100);
    const unfinished = (await Promise.all(heavy.map((id) => statusOf(s.url, id)))).filter(
      (st) => st === 'Running' || st === 'Scheduled',
    );
    // It did not wait for the queue of heavy queries ahead of it.
    assert.ok(unfinished.length >= 4, `only ${unfinished.length} heavy queries left when the light one ended`);
    assert.ok(took < 20_000, `the light query took ${took} ms`);
    for (const id of heavy) await fetch(`${s.url}/api/queries/${id}`, { method: 'DELETE' });
    const after = await info(s.url);
    assert.equal(after.queries.running + after.queries.waiting, 0, JSON.stringify(after.queries));
  } finally {
    await s.stop();
  }
});

test('a query that outlives --query-timeout ends as Timeout with a coded error; the next one runs', async () => {
  const s = await spawnServe(['--db', db, '--query-timeout', '1s']);
  try {
    const v = await runConsoleQuery(s.url, HEAVY);
    assert.equal(v.status, 'Timeout');
    assert.equal(v.error?.code, 'QUERY_TIMEOUT');
    assert.match(v.error.message, /did not finish within 1 s/);
    assert.equal((await runConsoleQuery(s.url, LIGHT)).status, 'Complete');
  } finally {
    await s.stop();
  }
});

test('a query whose client disconnects mid-wait is cancelled (the history says so)', async () => {
  const s = await spawnServe(['--db', db]);
  try {
    const text = `${HEAVY} | limit 4242`;
    const ac = new AbortController();
    const pending = postJson(`${s.url}/api/queries`, { queryString: text, ...ALL, waitMs: 30_000 }, ac.signal).catch(
      () => undefined,
    );
    await sleep(700);
    ac.abort();
    await pending;
    let entry: { status: string } | undefined;
    for (let i = 0; i < 100 && !entry; i++) {
      const h = (await (await fetch(`${s.url}/api/history`)).json()) as {
        history: { queryString: string; status: string }[];
      };
      entry = h.history.find((x) => x.queryString === text);
      if (!entry) await sleep(200);
    }
    assert.equal(entry?.status, 'Cancelled');
    const i = await info(s.url);
    assert.equal(i.queries.running, 0);
  } finally {
    await s.stop();
  }
});

test('a running query nobody polls any more is cancelled; one the page polls is not', async () => {
  const s = await startServer({ dbPath: db, port: 0, limits: { idleCancelMs: 600 } });
  try {
    // The forgotten one is never looked at again: its end is read from the history.
    const text = `${HEAVY} | limit 1`;
    const started = await postJson(`${s.url}/api/queries`, { queryString: text, ...ALL, waitMs: 0 });
    assert.equal(started.status, 200);
    const watched = await startNoWait(s.url, `${HEAVY} | limit 2`);
    let entry: { status: string } | undefined;
    for (let i = 0; i < 120 && !entry; i++) {
      await fetch(`${s.url}/api/queries/${watched}?waitMs=250`);
      const h = (await (await fetch(`${s.url}/api/history`)).json()) as {
        history: { queryString: string; status: string }[];
      };
      entry = h.history.find((x) => x.queryString === text);
    }
    assert.equal(entry?.status, 'Cancelled');
    const w = await statusOf(s.url, watched);
    assert.ok(w !== 'Cancelled', `the polled query is ${w}`);
  } finally {
    await s.close();
  }
});

test('a query that fails (out of memory) fails alone: a coded error, and the server answers the next', async () => {
  const s = await spawnServe(['--db', db, '--memory-limit', '64MB']);
  try {
    const v = await runConsoleQuery(s.url, 'fields @timestamp, @message | limit 100000');
    assert.equal(v.status, 'Failed');
    assert.equal(v.error?.code, 'QUERY_OUT_OF_MEMORY');
    assert.match(v.error.message, /--memory-limit/);
    const ok = await runConsoleQuery(s.url, 'stats count(*) as n');
    assert.equal(ok.status, 'Complete');
    assert.equal(ok.rows[0].n, String(RECORDS));
  } finally {
    await s.stop();
  }
});

test('the export streams every row (CSV, JSON lines) in bounded memory, and stops when the client goes', async () => {
  const s = await spawnServe(['--db', db, '--memory-limit', '256MB']);
  try {
    const r = await fetch(`${s.url}/api/queries/export`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ queryString: 'fields @timestamp, requestId, @message', ...ALL, format: 'csv' }),
    });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(r.headers.get('content-disposition') ?? '', /attachment; filename="query-.*\.csv"/);
    // Read as a stream: lines are counted, not kept.
    let lines = 0;
    let first = '';
    let tail = '';
    const dec = new TextDecoder();
    for await (const chunk of r.body as AsyncIterable<Uint8Array>) {
      const text = tail + dec.decode(chunk, { stream: true });
      const parts = text.split('\r\n');
      tail = parts.pop()!;
      if (!first && parts.length) first = parts[0]!;
      lines += parts.length;
    }
    assert.equal(tail, '');
    assert.equal(first, '@timestamp,requestId,@message');
    assert.equal(lines, RECORDS + 1);
    // 200,000 rows of ~750 bytes, never held whole: held, they would be ~300 MB of heap alone.
    assert.ok(s.peakMb() < 1200, `peak ${Math.round(s.peakMb())} MB`);

    const nd = await fetch(`${s.url}/api/queries/export`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        queryString: 'fields requestId, input.inputTokenCount as t',
        ...ALL,
        format: 'ndjson',
        limit: 5,
      }),
    });
    const rows = (await nd.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { requestId: string; t?: number });
    assert.equal(rows.length, 5);
    assert.ok(rows.every((x) => typeof x.requestId === 'string'));

    const bad = await postJson(`${s.url}/api/queries/export`, { queryString: 'fields | oops', ...ALL });
    assert.equal(bad.status, 400);
    assert.equal((bad.json.error as { code: string }).code, 'QUERY_INVALID');

    // A client that stops reading and goes away: the export's query ends and frees its slot.
    const ac = new AbortController();
    const slow = await fetch(`${s.url}/api/queries/export`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ queryString: 'fields @message', ...ALL }),
      signal: ac.signal,
    });
    assert.equal(slow.status, 200);
    ac.abort();
    let running = -1;
    for (let i = 0; i < 50 && running !== 0; i++) {
      await sleep(100);
      running = (await info(s.url)).queries.running;
    }
    assert.equal(running, 0);
  } finally {
    await s.stop();
  }
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} stops serve promptly while queries run, a long-poll waits and an export is not read`, async () => {
    const s = await spawnServe(['--db', db]);
    for (let i = 0; i < 5; i++) await startNoWait(s.url, `${HEAVY} | limit ${100 + i}`);
    const id = await startNoWait(s.url, `${HEAVY} | limit 99`);
    void fetch(`${s.url}/api/queries/${id}?waitMs=30000`).catch(() => undefined);
    const ac = new AbortController();
    void fetch(`${s.url}/api/queries/export`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ queryString: 'fields @message', ...ALL }),
      signal: ac.signal,
    }).catch(() => undefined);
    await sleep(1000);
    const stopped = await s.stop(signal);
    ac.abort();
    assert.equal(stopped.code, 0, s.stderr());
    assert.ok(stopped.ms < 10_000, `stopping took ${stopped.ms} ms`);
  });
}
