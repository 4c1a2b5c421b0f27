import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { withEngine, bedrock, objects, BEDROCK_GROUP, type TestEvent } from './helpers.js';
import { decodePtr } from '../../src/insights/format.js';
import { isBiError } from '../../src/util/errors.js';
import { PREPARE_CHANNEL } from '../../src/engines/query-engine.js';

// Three Bedrock invocations (newest last in time, but results default to newest first).
const E3: TestEvent[] = [
  {
    ts: '2026-01-01T10:05:00.000Z',
    record: bedrock({
      app: 'A',
      env: 'production',
      tenant: 'tenant-1',
      user: 'u1',
      input: 100,
      output: 50,
      extra: { cacheHit: false },
    }),
  },
  {
    ts: '2026-01-01T10:15:00.000Z',
    record: bedrock({ app: 'A', env: 'development', tenant: 'tenant-2', user: 'u2', input: 200, output: 7000 }),
  },
  {
    ts: '2026-01-01T11:05:00.000Z',
    record: bedrock({ app: 'B', env: 'production', tenant: 'tenant-1', user: 'u3', input: 6000, output: 10 }),
  },
];

const seed = (n: string) => readFileSync(new URL(`../../queries/bedrock/${n}.insights`, import.meta.url), 'utf8');

test('Q2 verbatim: sums, count, integral and non-integral averages, sorted by TotalTokens desc', async () => {
  await withEngine(E3, async (engine) => {
    const r = await engine.run({ queryString: seed('q02-tokens-by-application') });
    assert.equal(r.status, 'Complete');
    assert.deepEqual(r.columns, [
      'Application',
      'TotalInputTokens',
      'TotalOutputTokens',
      'TotalTokens',
      'TotalRequests',
      'AvgTokensPerRequest',
    ]);
    // A: 100+200 in, 50+7000 out, 7350 total over 2 requests -> avg 3675. B: 6000/10 -> 6010.
    assert.deepEqual(objects(r), [
      {
        Application: 'A',
        TotalInputTokens: '300',
        TotalOutputTokens: '7050',
        TotalTokens: '7350',
        TotalRequests: '2',
        AvgTokensPerRequest: '3675',
      },
      {
        Application: 'B',
        TotalInputTokens: '6000',
        TotalOutputTokens: '10',
        TotalTokens: '6010',
        TotalRequests: '1',
        AvgTokensPerRequest: '6010',
      },
    ]);
    assert.equal(r.aggregated, true);
    assert.ok(
      r.rows.every((row) => row.every((f) => f.field !== '@ptr')),
      'stats rows carry no @ptr',
    );
    assert.equal(r.statistics.recordsScanned, 3);
    assert.equal(r.statistics.recordsMatched, 3);
  });
});

test('Q13 verbatim: output.outputTokens is missing everywhere, TotalTokens absent, warning suggests output.outputTokenCount', async () => {
  await withEngine(E3, async (engine) => {
    const r = await engine.run({ queryString: seed('q13-iam-role-and-metadata') });
    assert.equal(r.status, 'Complete');
    assert.equal(r.rows.length, 3);
    for (const o of objects(r)) {
      assert.equal(o.TotalTokens, undefined);
      assert.equal(o.Requests, '1');
    }
    const w = r.warnings.find((d) => d.code === 'FIELD_NEVER_SEEN');
    assert.ok(w, 'a warning');
    assert.match(w.message, /did you mean output\.outputTokenCount\?/);
    assert.equal(w.suggestion, 'output.outputTokenCount');
  });
});

test('Q8 verbatim: bin(1h) labels, newest hour first', async () => {
  await withEngine(E3, async (engine) => {
    const r = await engine.run({ queryString: seed('q08-hourly-trend') });
    assert.deepEqual(objects(r), [
      { Hour: '2026-01-01 11:00:00.000', Application: 'B', TotalTokens: '6010', Requests: '1' },
      { Hour: '2026-01-01 10:00:00.000', Application: 'A', TotalTokens: '7350', Requests: '2' },
    ]);
  });
});

test('Q14 verbatim: min/max/avg and nearest-rank percentiles', async () => {
  const ev: TestEvent[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((o, i) => ({
    ts: 1_767_225_600_000 + i * 1000,
    record: bedrock({ app: 'A', output: o * 10 }),
  }));
  await withEngine(ev, async (engine) => {
    const r = await engine.run({ queryString: seed('q14-output-size-distribution') });
    // 10..100: avg 55; p50 nearest rank ceil(5) -> 50; p95 ceil(9.5)=10th -> 100.
    assert.deepEqual(objects(r), [
      { App: 'A', MinOutput: '10', MaxOutput: '100', AvgOutput: '55', MedianOutput: '50', P95Output: '100' },
    ]);
  });
});

test('non-aggregated rows: default newest first, @ptr last and decodable, timestamps formatted', async () => {
  await withEngine(E3, async (engine, store) => {
    const r = await engine.run({ queryString: 'fields @timestamp, modelId, input.inputTokenCount' });
    assert.deepEqual(
      r.rows.map((row) => row.map((f) => f.field)),
      Array(3).fill(['@timestamp', 'modelId', 'input.inputTokenCount', '@ptr']),
    );
    assert.deepEqual(
      objects(r).map((o) => o['@timestamp']),
      ['2026-01-01 11:05:00.000', '2026-01-01 10:15:00.000', '2026-01-01 10:05:00.000'],
    );
    const ptr = r.rows[0].at(-1)!.value;
    const d = decodePtr(ptr);
    assert.equal(d?.logGroup, BEDROCK_GROUP);
    const back = (
      await store.connection.runAndReadAll(`SELECT input_tokens FROM events WHERE seq = ${d.seq}`)
    ).getRows();
    assert.equal(Number(back[0][0]), 6000);
  });
});

test('no fields/display/stats: @timestamp and @message', async () => {
  await withEngine(E3, async (engine) => {
    const r = await engine.run({ queryString: 'filter input.inputTokenCount > 150' });
    assert.deepEqual(r.columns, ['@timestamp', '@message']);
    assert.equal(r.rows.length, 2);
    assert.equal(r.statistics.recordsMatched, 2);
  });
});

test('missing-field comparisons: like/in/= false; not like and not in true; != false', async () => {
  const ev: TestEvent[] = [
    { ts: 1000, group: 'g', message: '{"status":"200","a":1}' },
    { ts: 2000, group: 'g', message: '{"a":2}' },
  ];
  await withEngine(ev, async (engine) => {
    const q = async (f: string) => objects(await engine.run({ queryString: `filter ${f} | fields a` })).map((o) => o.a);
    assert.deepEqual(await q('status like "20"'), ['1']);
    assert.deepEqual(await q('status not like "20"'), ['2']);
    assert.deepEqual(await q('status in ["200"]'), ['1']);
    assert.deepEqual(await q('status not in ["500"]'), ['2', '1']);
    assert.deepEqual(await q('status = 200'), ['1']);
    assert.deepEqual(await q('status != 500'), ['1']);
    assert.deepEqual(await q('status >= 100'), ['1']);
    assert.deepEqual(await q('not ispresent(status)'), ['2']);
  });
});

test('numeric strings compute as numbers; arithmetic with a missing or text operand is missing; float division; /0 missing', async () => {
  const ev: TestEvent[] = [{ ts: 1000, group: 'g', message: '{"n":"7","t":"abc","flag":true,"off":false}' }];
  await withEngine(ev, async (engine) => {
    const r = await engine.run({
      queryString:
        'fields n + 1 as a, n / 2 as b, n + missing as c, n + t as d, n / 0 as e, flag + off as f, flag, off, n * 2 as g',
    });
    assert.deepEqual(objects(r), [{ a: '8', b: '3.5', flag: '1', off: '0', f: '1', g: '14' }]);
  });
});

test('JSON: nested paths with .0. array segments, null/{}/[] missing, non-JSON messages have no fields', async () => {
  const ev: TestEvent[] = [
    { ts: 1000, group: 'g', message: '{"a":{"b":[{"c":"x"},{"c":"y"}]},"n":null,"o":{},"l":[]}' },
    { ts: 2000, group: 'g', message: 'plain text line a.b=1' },
  ];
  await withEngine(ev, async (engine) => {
    const r = await engine.run({ queryString: 'fields a.b.1.c as c1, a.b.0.c as c0, n, o, l | sort @timestamp asc' });
    assert.deepEqual(objects(r), [{ c1: 'y', c0: 'x' }, {}]);
  });
});

test('mixed log group: hot fields fall back to the message for generic events', async () => {
  const ev: TestEvent[] = [
    { ts: 1000, record: bedrock({ model: 'm1', input: 5, app: 'A' }) },
    {
      ts: 2000,
      group: BEDROCK_GROUP,
      message: '{"modelId":"m2","input":{"inputTokenCount":7},"requestMetadata":{"application_name":"B"}}',
    },
  ];
  await withEngine(ev, async (engine) => {
    const r = await engine.run({
      queryString:
        'fields modelId, input.inputTokenCount as n, requestMetadata.application_name as app | sort @timestamp asc',
    });
    assert.deepEqual(objects(r), [
      { modelId: 'm1', n: '5', app: 'A' },
      { modelId: 'm2', n: '7', app: 'B' },
    ]);
    const s = await engine.run({ queryString: 'stats sum(input.inputTokenCount) as t' });
    assert.deepEqual(objects(s), [{ t: '12' }]);
  });
});

test('like string is a substring test; like /re/ and =~ search; (?i) anywhere; in is a full match', async () => {
  const ev: TestEvent[] = [
    { ts: 1000, group: 'g', message: '{"m":"Error: Disk full"}' },
    { ts: 2000, group: 'g', message: '{"m":"all good"}' },
  ];
  await withEngine(ev, async (engine) => {
    const q = async (f: string) => (await engine.run({ queryString: `filter ${f} | fields m` })).rows.length;
    assert.equal(await q('m like "Disk"'), 1);
    assert.equal(await q('m like "disk"'), 0);
    assert.equal(await q('m like /(?i)disk/'), 1);
    assert.equal(await q('m =~ /^Error/'), 1);
    assert.equal(await q('m like /^(?i)error: disk FULL$/'), 1);
    assert.equal(await q('m in ["Disk"]'), 0);
    assert.equal(await q('m in ["all good"]'), 1);
  });
});

test('bin(300s) is a 60-second bin; bin(1w) starts on Monday; bin(1mo) on the 1st', async () => {
  // 2026-01-07 is a Wednesday.
  const ev: TestEvent[] = [{ ts: '2026-01-07T10:03:25.000Z', group: 'g', message: 'x' }];
  await withEngine(ev, async (engine) => {
    const r = await engine.run({
      queryString:
        'stats count(*) by bin(300s) as a, bin(5m) as b, bin(1w) as w, bin(1mo) as mo, bin(1q) as q, bin(1y) as y',
    });
    assert.deepEqual(objects(r), [
      {
        a: '2026-01-07 10:03:00.000',
        b: '2026-01-07 10:00:00.000',
        w: '2026-01-05 00:00:00.000',
        mo: '2026-01-01 00:00:00.000',
        q: '2026-01-01 00:00:00.000',
        y: '2026-01-01 00:00:00.000',
        'count(*)': '1',
      },
    ]);
  });
});

test('stats without sort: by bin() newest bin first; other groups in first-met order scanning newest first', async () => {
  const ev: TestEvent[] = [
    { ts: '2026-01-01T10:00:00Z', group: 'g', message: '{"k":"x"}' },
    { ts: '2026-01-01T10:01:00Z', group: 'g', message: '{"k":"y"}' },
    { ts: '2026-01-01T10:02:00Z', group: 'g', message: '{"k":"x"}' },
    { ts: '2026-01-01T10:03:00Z', group: 'g', message: '{"k":"z"}' },
  ];
  await withEngine(ev, async (engine) => {
    const a = await engine.run({ queryString: 'stats count(*) as n by k' });
    assert.deepEqual(objects(a), [
      { k: 'z', n: '1' },
      { k: 'x', n: '2' },
      { k: 'y', n: '1' },
    ]);
    const b = await engine.run({ queryString: 'stats count(*) as n by bin(2m)' });
    assert.deepEqual(objects(b), [
      { 'bin(2m)': '2026-01-01 10:02:00.000', n: '2' },
      { 'bin(2m)': '2026-01-01 10:00:00.000', n: '2' },
    ]);
  });
});

test('two chained stats: the second sees only the first outputs', async () => {
  const ev: TestEvent[] = [
    { ts: 1000, group: 'g', message: '{"k":"x","v":1}' },
    { ts: 2000, group: 'g', message: '{"k":"x","v":2}' },
    { ts: 3000, group: 'g', message: '{"k":"y","v":10}' },
  ];
  await withEngine(ev, async (engine) => {
    const r = await engine.run({
      queryString: 'stats sum(v) as s by k | stats max(s) as top, avg(s) as mean, count(*) as groups',
    });
    assert.deepEqual(objects(r), [{ top: '10', mean: '6.5', groups: '2' }]);
    const bad = await engine.check('stats sum(v) as s by k | stats max(v)');
    assert.ok(bad.some((d) => d.code === 'FIELD_NOT_AVAILABLE'));
  });
});

test('natural sort of text: non-numbers first, digit runs by length, then numbers; missing last', async () => {
  const vals = ['2', '@', '5A', '111A', 'A', '0#', '10'];
  const ev: TestEvent[] = vals.map((v, i) => ({ ts: 1000 + i, group: 'g', message: JSON.stringify({ v }) }));
  ev.push({ ts: 5000, group: 'g', message: '{}' });
  await withEngine(ev, async (engine) => {
    const r = await engine.run({ queryString: 'fields v | sort v asc' });
    assert.deepEqual(
      objects(r).map((o) => o.v),
      ['0#', '5A', '111A', '@', 'A', '2', '10', undefined],
    );
    const d = await engine.run({ queryString: 'fields v | sort v desc' });
    assert.deepEqual(
      objects(d).map((o) => o.v),
      ['10', '2', 'A', '@', '111A', '5A', '0#', undefined],
    );
  });
});

test('parse: glob is unanchored, lazy, trailing * to the end; regex named groups incl. @; no row is dropped', async () => {
  const ev: TestEvent[] = [
    { ts: 1000, group: 'g', message: '[INFO]\t2025\tazul.chalice\tReceived POST request' },
    { ts: 2000, group: 'g', message: 'unrelated' },
  ];
  await withEngine(ev, async (engine) => {
    const r = await engine.run({
      queryString: "parse @message 'azul.*\\t*' as logger, msg | sort @timestamp asc | display logger, msg",
    });
    assert.deepEqual(objects(r), [{ logger: 'chalice', msg: 'Received POST request' }, {}]);
    const g = await engine.run({
      queryString: 'parse @message /(?<@lvl>[A-Z]+)\\]/ | sort @timestamp asc | display @lvl',
    });
    assert.deepEqual(objects(g), [{ '@lvl': 'INFO' }, {}]);
  });
});

test('dedup keeps the newest row per key and every row with a missing key', async () => {
  const ev: TestEvent[] = [
    { ts: 1000, group: 'g', message: '{"k":"x","n":1}' },
    { ts: 2000, group: 'g', message: '{"k":"x","n":2}' },
    { ts: 3000, group: 'g', message: '{"n":3}' },
    { ts: 4000, group: 'g', message: '{"n":4}' },
  ];
  await withEngine(ev, async (engine) => {
    const r = await engine.run({ queryString: 'fields k, n | dedup k' });
    assert.deepEqual(
      objects(r).map((o) => o.n),
      ['4', '3', '2'],
    );
  });
});

test('display: last wins, order as written, hidden fields still sortable', async () => {
  const ev: TestEvent[] = [
    { ts: 1000, group: 'g', message: '{"a":"1","b":"x"}' },
    { ts: 2000, group: 'g', message: '{"a":"2","b":"y"}' },
  ];
  await withEngine(ev, async (engine) => {
    const r = await engine.run({ queryString: 'fields a, b | display a | display b, a | sort @timestamp asc' });
    assert.deepEqual(r.columns, ['b', 'a']);
    assert.deepEqual(objects(r), [
      { b: 'x', a: '1' },
      { b: 'y', a: '2' },
    ]);
  });
});

test('row cap: 10,000 by default with truncated + warning; limit raises it; noRowCap lifts it', async () => {
  await withEngine([], async (engine, store) => {
    await store.connection
      .run(`INSERT INTO events (seq, log_group, log_stream, ts, ingestion_ts, event_key, kind, message)
      SELECT i, 'g', 's', i, i, 'k' || i, 'generic', 'm' FROM range(1, 10006) t(i)`);
    const capped = await engine.run({ queryString: 'fields @message' });
    assert.equal(capped.rows.length, 10_000);
    assert.equal(capped.truncated, true);
    assert.ok(capped.warnings.some((w) => w.code === 'ROW_CAP_REACHED'));
    const limited = await engine.run({ queryString: 'fields @message | limit 10003' });
    assert.equal(limited.rows.length, 10_003);
    assert.equal(limited.truncated, false);
    const all = await engine.run({ queryString: 'fields @message', noRowCap: true });
    assert.equal(all.rows.length, 10_005);
    const small = await engine.run({ queryString: 'fields @message', limit: 7 });
    assert.equal(small.rows.length, 7);
  });
});

test('time range is inclusive on both ends; log group selection and SOURCE prefixes', async () => {
  const ev: TestEvent[] = [
    { ts: 1000, group: '/app/a', message: 'a1' },
    { ts: 2000, group: '/app/b', message: 'b2' },
    { ts: 3000, group: '/other', message: 'o3' },
  ];
  await withEngine(ev, async (engine) => {
    const msgs = async (q: string, extra: object = {}) =>
      objects(await engine.run({ queryString: q, ...extra })).map((o) => o['@message']);
    assert.deepEqual(await msgs('fields @message', { startTime: 1000, endTime: 2000 }), ['b2', 'a1']);
    assert.deepEqual(await msgs('fields @message', { logGroups: ['/other'] }), ['o3']);
    assert.deepEqual(await msgs("SOURCE logGroups(namePrefix: ['/app']) | fields @message"), ['b2', 'a1']);
    await assert.rejects(
      engine.run({ queryString: 'fields @message', logGroups: ['/nope'] }),
      (e: unknown) => isBiError(e) && e.code === 'QUERY_INVALID',
    );
    const logs = objects(await engine.run({ queryString: 'fields @log, @logStream', logGroups: ['/other'] }));
    assert.deepEqual(logs, [{ '@log': ':/other', '@logStream': 'aws/bedrock/modelinvocations' }]);
  });
});

test('malformed and unsupported queries: run throws QUERY_INVALID with coded diagnostics', async () => {
  await withEngine(E3, async (engine) => {
    await assert.rejects(engine.run({ queryString: 'fields x | relevantfields where x = 1' }), (e: unknown) => {
      assert.ok(isBiError(e) && e.code === 'QUERY_INVALID');
      const diags = e.details.diagnostics as { code: string; message: string }[];
      assert.ok(
        diags.some(
          (d) => d.code === 'UNSUPPORTED_COMMAND' && d.message.includes('`relevantfields` is not supported yet'),
        ),
      );
      return true;
    });
    const d = await engine.check('fields sumx(1)');
    assert.ok(d.some((x) => x.code === 'UNKNOWN_FUNCTION'));
    const d2 = await engine.check(
      'fields stats(1) | stats countDistinct(modelId), count_distinct(modelId), count_over_time(*), sum_over_time(input.inputTokenCount)',
    );
    assert.ok(!d2.some((x) => x.code === 'UNKNOWN_FUNCTION' && x.message.includes('ountDistinct')));
  });
});

test('aggregates: count(f) skips missing, count_distinct, stddev (sample), earliest/latest skip missing and give epoch ms for @timestamp, values, sortsFirst', async () => {
  const ev: TestEvent[] = [
    { ts: 1000, group: 'g', message: '{"v":2,"s":"b"}' },
    { ts: 2000, group: 'g', message: '{"v":4,"s":"a"}' },
    { ts: 3000, group: 'g', message: '{"s":"a"}' },
  ];
  await withEngine(ev, async (engine) => {
    const r = await engine.run({
      queryString:
        'stats count(v) as c, count(*) as n, count_distinct(s) as d, stddev(v) as sd, earliest(v) as e, latest(v) as l, earliest(@timestamp) as et, latest(@timestamp) as lt, values(s) as vs, sortsFirst(s) as sf, sortsLast(s) as sl, min(s) as mn, max(v) as mx',
    });
    assert.deepEqual(objects(r), [
      {
        c: '2',
        n: '3',
        d: '2',
        sd: String(Math.SQRT2),
        e: '2',
        l: '4',
        et: '1000',
        lt: '3000',
        vs: 'a,b',
        sf: 'a',
        sl: 'b',
        mn: 'a',
        mx: '4',
      },
    ]);
  });
});

test('scalar functions: string, numeric, datetime, IP, JSON, hashing', async () => {
  const ev: TestEvent[] = [
    {
      ts: '2026-03-04T05:06:07.089Z',
      group: 'g',
      message: '{"s":" Hello World ","ip":"192.168.1.20","j":"{\\"a\\":{\\"b\\":[1,2,3]}}"}',
    },
  ];
  await withEngine(ev, async (engine) => {
    const one = async (expr: string) => objects(await engine.run({ queryString: `fields ${expr} as x` }))[0].x;
    assert.equal(await one('trim(s)'), 'Hello World');
    assert.equal(await one('strlen(s)'), '13');
    assert.equal(await one('substr("xyZfooxyZ", 3, 3)'), 'foo');
    assert.equal(await one('ltrim("xyZxyfooxyZ", "xyZ")'), 'fooxyZ');
    assert.equal(await one('toupper(concat("a", 1, "b"))'), 'A1B');
    assert.equal(await one('replace("a-b-c", "-", "+")'), 'a+b+c');
    assert.equal(await one('regexReplace("a1b22", "[0-9]+", "#")'), 'a#b#');
    assert.equal(await one('strcontains(s, "World")'), '1');
    assert.equal(await one('isempty(nope)'), '1');
    assert.equal(await one('isblank("  ")'), '1');
    assert.equal(await one('decToHex(255)'), '0xff');
    assert.equal(await one('hexToDec("0xff")'), '255');
    assert.equal(await one('round(2.5)'), '3');
    assert.equal(await one('abs(-3) + floor(2.7) + ceil(2.1)'), '8');
    assert.equal(await one('toInt("7.9")'), '7');
    assert.equal(await one('greatest(1, 5, 3)'), '5');
    assert.equal(await one('coalesce(nope, "d")'), 'd');
    assert.equal(await one('if(1 > 2, "y", "n")'), 'n');
    assert.equal(await one('datefloor(@timestamp, 1h)'), '2026-03-04 05:00:00.000');
    assert.equal(await one('dateceil(@timestamp, 1h)'), '2026-03-04 06:00:00.000');
    assert.equal(await one('fromMillis(0)'), '1970-01-01 00:00:00.000');
    assert.equal(await one('toMillis(@timestamp)'), String(Date.parse('2026-03-04T05:06:07.089Z')));
    assert.equal(await one('formatDate(@timestamp, "%Y/%m/%d")'), '2026/03/04');
    assert.equal(await one('parseDate("2026-03-04", "yyyy-MM-dd", "UTC")'), String(Date.parse('2026-03-04T00:00:00Z')));
    assert.equal(await one('isValidIpV4(ip)'), '1');
    assert.equal(await one('isPrivateIP(ip)'), '1');
    assert.equal(await one('isIpv4InSubnet(ip, "192.168.1.0/24")'), '1');
    assert.equal(await one('ipv4ToNumber("1.0.0.1")'), '16777217');
    assert.equal(await one('jsonArraySize("[1,2]")'), '2');
    assert.equal(await one('md5("a")'), '0cc175b9c0f1b6a831c399e269772661');
    assert.equal(await one('base64decode(base64encode("hi"))'), 'hi');
    const j = objects(
      await engine.run({ queryString: 'fields jsonParse(j) as p | fields p.a.b as arr, p.a.b.1 as second' }),
    )[0];
    assert.deepEqual(j, { p: '{"a":{"b":[1,2,3]}}', arr: '[1,2,3]', second: '2' });
    const u = objects(await engine.run({ queryString: 'fields jsonParse(j) as p | unnest p.a.b into e | display e' }));
    assert.deepEqual(u, [{ e: '1' }, { e: '2' }, { e: '3' }]);
  });
});

test('saved-query expansion through DuckDbEngineOptions.savedQueries', async () => {
  await withEngine(
    E3,
    async (engine) => {
      const r = await engine.run({ queryString: '$TopApps(n = 1)' });
      assert.deepEqual(objects(r), [{ a: 'A', c: '2' }]);
    },
    {
      savedQueries: (name) =>
        name === 'TopApps'
          ? {
              queryString: 'stats count(*) as c by requestMetadata.application_name as a | sort c desc | limit {{n}}',
              parameters: [{ name: 'n', defaultValue: '5' }],
            }
          : undefined,
    },
  );
});

test('cancel ends a running query with status Cancelled', async () => {
  await withEngine([], async (engine, store) => {
    await store.connection
      .run(`INSERT INTO events (seq, log_group, log_stream, ts, ingestion_ts, event_key, kind, message)
      SELECT i, 'g', 's', i, i, 'k' || i, 'generic', 'm' || i FROM range(1, 200001) t(i)`);
    const h = await engine.start({
      queryString: 'fields @message | filter @message like /(a|m)+9$/ | stats count(*) by @message | sort @message asc',
    });
    await h.cancel();
    const r = await h.done();
    assert.equal(r.status, 'Cancelled');
    assert.equal(h.status(), 'Cancelled');
  });
});

test('decisions: sort without direction is ascending; stats without by over no events gives no row; count(f) of nothing is absent', async () => {
  const ev: TestEvent[] = [
    { ts: 1000, group: 'g', message: '{"v":"b","k":"x"}' },
    { ts: 2000, group: 'g', message: '{"v":"a","k":"y"}' },
  ];
  await withEngine(ev, async (engine) => {
    assert.deepEqual(
      objects(await engine.run({ queryString: 'fields v | sort v' })).map((o) => o.v),
      ['a', 'b'],
    );
    assert.deepEqual(objects(await engine.run({ queryString: 'filter v = "zzz" | stats count(*) as n' })), []);
    assert.deepEqual(
      objects(await engine.run({ queryString: 'stats count(nope) as c, count(*) as n by k | sort k asc' })),
      [
        { k: 'x', n: '1' },
        { k: 'y', n: '1' },
      ],
    );
  });
});

test('maps and lists cannot be aggregated, sorted, grouped or deduplicated; split() cannot be unnested; queries over 10,000 characters are refused', async () => {
  await withEngine(E3, async (engine) => {
    const codes = async (q: string) => (await engine.check(q)).filter((d) => d.severity === 'error').map((d) => d.code);
    assert.deepEqual(await codes('fields jsonParse(@message) as j | stats count_distinct(j)'), ['MAP_NOT_ALLOWED']);
    assert.deepEqual(await codes('fields jsonParse(@message) as j | sort j asc'), ['MAP_NOT_ALLOWED']);
    assert.deepEqual(await codes('fields jsonParse(@message) as j | dedup j'), ['MAP_NOT_ALLOWED']);
    assert.deepEqual(await codes('fields jsonParse(@message) as j | stats count(*) by j'), ['MAP_NOT_ALLOWED']);
    assert.deepEqual(await codes('fields split(modelId, ".") as parts | unnest parts into p'), ['UNNEST_SPLIT']);
    assert.deepEqual(await codes('fields jsonParse(@message) as j | stats count(*) by j.modelId'), []);
    assert.deepEqual(await codes(`fields modelId ${'#'.repeat(10_001)}`), ['QUERY_TOO_LONG']);
  });
});

test("integer arithmetic is 64-bit; a text line's embedded JSON object is discovered", async () => {
  const ev: TestEvent[] = [
    {
      ts: 1000,
      group: 'g',
      message: '[DEBUG] 2021-01-07 c790 Job info: {"billingTier": 1, "cacheHit": false, "t": [{"ms": "728"}]} trailing',
    },
  ];
  await withEngine(ev, async (engine) => {
    const r = await engine.run({
      queryString: 'display 123456789 * 1000 as big, 2147483647 + 1 as edge, billingTier, cacheHit, t.0.ms',
    });
    assert.deepEqual(objects(r), [
      { big: '123456789000', edge: '2147483648', billingTier: '1', cacheHit: '0', 't.0.ms': '728' },
    ]);
  });
});

test('parse csv: by position, quoted values with "" unescaped; isIpInSubnet takes IPv6 CIDRs', async () => {
  const ev: TestEvent[] = [{ ts: 1000, group: 'g', message: 'GET,"a, ""b""",200' }];
  await withEngine(ev, async (engine) => {
    const r = await engine.run({
      queryString: 'parse @message csv as method, path, status | display method, path, status',
    });
    assert.deepEqual(objects(r), [{ method: 'GET', path: 'a, "b"', status: '200' }]);
    const ip = await engine.run({
      queryString:
        'display isIpInSubnet("2001:db8::1", "2001:db8::/32") as a, isIpv6InSubnet("2001:db9::1", "2001:db8::/32") as b, isIpv6InSubnet("2001:db8::1", "2001:db8:8000::/33") as c',
    });
    assert.deepEqual(objects(ip), [{ a: '1', b: '0', c: '0' }]);
  });
});

test('onRows hands rows over in chunks and keeps the row cap unless lifted', async () => {
  await withEngine([], async (engine, store) => {
    await store.connection
      .run(`INSERT INTO events (seq, log_group, log_stream, ts, ingestion_ts, event_key, kind, message)
      SELECT i, 'g', 's', i, i, 'k' || i, 'generic', 'm' FROM range(1, 10011) t(i)`);
    let n = 0;
    const capped = await engine.run(
      { queryString: 'fields @message' },
      {
        onRows: (rows) => {
          n += rows.length;
        },
      },
    );
    assert.equal(n, 10_000);
    assert.equal(capped.truncated, true);
    n = 0;
    const all = await engine.run(
      { queryString: 'fields @message', noRowCap: true },
      {
        onRows: (rows) => {
          n += rows.length;
        },
      },
    );
    assert.equal(n, 10_010);
    assert.equal(all.truncated, false);
    assert.equal(all.rows.length, 0);
  });
});

test('prepare runs the front end only; start(prepared) runs that plan without preparing again', async () => {
  await withEngine(E3, async (engine) => {
    const seen: string[] = [];
    const count = (m: unknown) => seen.push((m as { queryString: string }).queryString);
    subscribe(PREPARE_CHANNEL, count);
    try {
      const q = 'fields requestMetadata.application_name as app, now() as t, nosuch | sort app | limit 1';
      const p = await engine.prepare({ queryString: q, startTime: Date.parse('2026-01-01T10:10:00Z') });
      assert.deepEqual(p.columns, ['app', 't', 'nosuch']);
      assert.ok(p.plan);
      assert.deepEqual(
        p.diagnostics.map((d) => d.code),
        ['FIELD_NEVER_SEEN'],
      );
      assert.deepEqual(await engine.check(q), p.diagnostics);
      const r = await engine.run(p);
      assert.equal(r.status, 'Complete');
      // The request's range and now() are the prepared ones (now() is epoch seconds).
      assert.deepEqual(objects(r), [{ app: 'A', t: String(Math.floor(p.now / 1000)) }]);
      assert.deepEqual(
        r.warnings.map((d) => d.code),
        ['FIELD_NEVER_SEEN'],
      );
      assert.deepEqual(seen, [q, q]); // prepare and check; run(prepared) did not prepare
      const h = await engine.start(p);
      assert.equal((await h.done()).status, 'Complete');
      assert.equal(seen.length, 2);
      await engine.run({ queryString: q });
      assert.equal(seen.length, 3); // a request is prepared by start
    } finally {
      unsubscribe(PREPARE_CHANNEL, count);
    }
  });
});

test('start(prepared) of a query that is not valid throws QUERY_INVALID with its diagnostics', async () => {
  await withEngine(E3, async (engine) => {
    const p = await engine.prepare({ queryString: 'fields x | sort' });
    assert.equal(p.plan, undefined);
    assert.deepEqual(p.columns, []);
    const e = await engine.start(p).catch((x: unknown) => x);
    assert.ok(isBiError(e) && e.code === 'QUERY_INVALID', String(e));
    const diags = e.details.diagnostics as { code: string }[];
    assert.deepEqual(
      diags.map((d) => d.code),
      p.diagnostics.map((d) => d.code),
    );
  });
});
