import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { AlarmStore, parseAlarmDefinition, roundSignificant } from '../../src/alarms/index.js';
import type { MetricAlarmDef, QueryAlarmDef } from '../../src/alarms/definition.js';
import { MetricSource } from '../../src/alarms/sources/metric.js';
import { QuerySource } from '../../src/alarms/sources/query.js';
import { binnedQuery } from '../../src/alarms/sources/binnedQuery.js';
import type { Series } from '../../src/alarms/series.js';
import type { AlarmBacktest, AlarmFieldProblem } from '../../src/contracts/wire.js';
import { createEngine } from '../../src/engines/factory.js';
import { Store } from '../../src/store/store.js';
import { createFixtureStore, LOG_GROUP } from '../e2e/fixture.js';
import { putEvents, TOKEN_FILTERS } from './helpers.js';
import { evaluatedPeriods, fires, hourlyValues, suggested, TOKENS_PER_APP_JSON } from './independent.js';

// The console's alarm editor API on the real server (127.0.0.1, port 0): create, edit (secrets
// kept across a redacted round trip), problems by field, the backtest of a definition being
// edited and its suggested threshold, checked against counts computed from the messages' JSON
// (independent.ts). Then the two fast paths behind it against the slow ones they replace: metric
// filters as SQL against the matcher, a binned query against one query per period.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const END = Math.floor(Date.now() / HOUR) * HOUR - 1;
let dir: string;
let store: Store;
let conn: DuckDBConnection;
let server: RunningServer;

before(async () => {
  process.env.BEDROCK_INSIGHTS_ALARM_INTERVAL = '0';
  dir = mkdtempSync(join(tmpdir(), 'alarm-editor-api-'));
  // 20,000 Bedrock records over 10 days (4 applications), plus plain JSON events of another
  // kind (not Bedrock records: the matcher reads those) in one hour, one of them hostile.
  store = await createFixtureStore(join(dir, 'store.duckdb'), { records: 20_000, endMs: END, spanMs: 10 * DAY });
  const h = Math.floor(END / HOUR) * HOUR - 5 * HOUR;
  await putEvents(
    store,
    [0, 1, 2, 3].map((i) => ({
      ts: h + i * 60_000,
      app: i === 3 ? "Robert'); DROP TABLE events;--" : 'PlainApp',
      input: 9000,
    })),
    LOG_GROUP,
  );
  conn = await store.connect();
  server = await startServer({ store, port: 0 });
});
after(async () => {
  conn?.closeSync();
  await server?.close();
  store?.close();
  delete process.env.BEDROCK_INSIGHTS_ALARM_INTERVAL;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const r = await fetch(`${server.url}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, json: (await r.json()) as T };
}

const TOKENS_METRIC = {
  name: 'tokens-per-app',
  kind: 'metric',
  threshold: 10_000,
  treatMissingData: 'notBreaching',
  metric: {
    namespace: 'Bedrock/Usage',
    name: 'Tokens',
    perDimension: ['App'],
    filters: TOKEN_FILTERS,
  },
};

type ErrorAnswer = { error: { code: string; fields: AlarmFieldProblem[] } };

test('problems are answered field by field (ALARM_INVALID with paths), for saves and backtests, hostile input included', async () => {
  const cases: [unknown, string][] = [
    [{ ...TOKENS_METRIC, threshold: 'ten thousand' }, 'threshold'],
    [{ ...TOKENS_METRIC, name: 'a/b' }, 'name'],
    [{ ...TOKENS_METRIC, evaluationPeriods: 2, datapointsToAlarm: 3 }, 'datapointsToAlarm'],
    [{ ...TOKENS_METRIC, period: 45 }, 'period'],
    [{ ...TOKENS_METRIC, comparisonOperator: 'GreaterThanUpperThreshold' }, 'comparisonOperator'],
    [{ ...TOKENS_METRIC, notify: [{ type: 'email', to: ['not an address'] }] }, 'notify.0.to.0'],
    [{ name: 'q', kind: 'query', threshold: 1, query: { queryString: 'stats count(*) as n' } }, 'query.column'],
    [{ name: 'b', kind: 'budget', budget: { owner: 'requestMetadata.cost_center' } }, 'budget.budgets'],
    [{ name: 'k', kind: 'nonsense' }, 'kind'],
    [
      {
        ...TOKENS_METRIC,
        metric: { ...TOKENS_METRIC.metric, filters: [{ filterPattern: '{ $.x = ', metricValue: '1' }] },
      },
      'metric.filters.0.filterPattern',
    ],
    [{ ...TOKENS_METRIC, surprise: '<script>' }, ''],
  ];
  for (const [def, path] of cases) {
    for (const [route, body] of [
      ['/api/alarms', def],
      ['/api/alarms/backtest', { definition: def }],
    ] as const) {
      const r = await call<ErrorAnswer>('POST', route, body);
      assert.equal(r.status, 400, `${route} ${JSON.stringify(def)}`);
      assert.equal(r.json.error.code, 'ALARM_INVALID');
      assert.ok(
        r.json.error.fields.some((f) => f.path === path),
        `${route}: expected a problem at "${path}", got ${JSON.stringify(r.json.error.fields)}`,
      );
    }
  }
  // Not a definition at all, and a range that is not one.
  assert.equal((await call('POST', '/api/alarms/backtest', { definition: 5 })).status, 400);
  assert.equal((await call('POST', '/api/alarms/backtest', [])).status, 400);
  const r = await call<ErrorAnswer>('POST', '/api/alarms/backtest', { definition: TOKENS_METRIC, since: 10, until: 5 });
  assert.equal(r.json.error.code, 'INVALID_REQUEST');
  assert.equal((await call('GET', '/api/alarms')).json.alarms instanceof Array, true);
  assert.equal(
    (await call<{ alarms: { name: string }[] }>('GET', '/api/alarms')).json.alarms.length,
    1,
    'nothing was stored',
  );
});

test('the backtest of a definition being edited: the fires and the suggested threshold equal the counts from the messages', async () => {
  const until = END + 1;
  const since = until - 7 * DAY;
  const r = await call<AlarmBacktest>('POST', '/api/alarms/backtest', { definition: TOKENS_METRIC, since, until });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const periods = evaluatedPeriods(since, until);
  const values = await hourlyValues(conn, TOKENS_PER_APP_JSON, periods.first, periods.last + HOUR);
  assert.equal(values.size, 6, 'four fixture applications and the two plain events');
  const expected = fires(values, 10_000, periods);
  assert.ok(expected > 0);
  assert.equal(r.json.fired, expected);
  assert.equal(r.json.series, 6);
  assert.equal(
    Object.values(r.json.firedBySeries).reduce((a, b) => a + b, 0),
    expected,
  );
  assert.equal(r.json.evaluations, 7 * 24);
  const s = suggested(values, since, periods);
  assert.equal(r.json.suggestion?.threshold, s);
  assert.equal(r.json.suggestion?.fired, fires(values, s, periods));
  assert.match(
    r.json.suggestion.rule,
    /^p99 of the [\d,]+ 1-hour values of the last 7 days \(6 series\), rounded up to 2 significant figures$/,
  );
  // The hostile application name is a series like any other.
  assert.ok(Object.keys(r.json.values).includes(`App=Robert'); DROP TABLE events;--`));
  // "Less than" alarms get the 1st percentile, rounded down; budgets and anomaly bands none.
  const less = await call<AlarmBacktest>('POST', '/api/alarms/backtest', {
    definition: { ...TOKENS_METRIC, comparisonOperator: 'LessThanThreshold' },
    since,
    until,
  });
  assert.ok(less.json.suggestion!.threshold <= less.json.suggestion!.percentileValue);
  assert.match(less.json.suggestion!.rule, /^p1 of .* rounded down/);
  const budget = await call<AlarmBacktest>('POST', '/api/alarms/backtest', {
    definition: {
      name: 'b',
      kind: 'budget',
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      budget: { owner: 'requestMetadata.cost_center', defaultBudget: 1 },
    },
    since,
    until,
  });
  assert.equal(budget.status, 200, JSON.stringify(budget.json));
  assert.equal(budget.json.suggestion, null);
  assert.ok(Object.keys(budget.json.seriesThresholds).length > 0, 'each budget series has its own threshold line');
});

test('create, edit through a redacted round trip (secrets kept), delete', async () => {
  const def = {
    ...TOKENS_METRIC,
    name: 'editable',
    notify: [
      { type: 'webhook', url: 'https://hooks.example/x?token=abc', secret: 'topsecret' },
      { type: 'slack', url: 'https://hooks.slack.com/services/T1/B2/sekrit' },
    ],
  };
  assert.equal((await call('POST', '/api/alarms', def)).status, 201);
  const got = await call<{ definition: Record<string, unknown> }>('GET', '/api/alarms/editable');
  assert.doesNotMatch(JSON.stringify(got.json), /topsecret|sekrit|token=abc/);
  // The console sends back what it read, with a new threshold and one more target.
  const edited = {
    ...got.json.definition,
    threshold: 20_000,
    notify: [...(got.json.definition.notify as unknown[]), { type: 'email', to: ['ops@example.com'] }],
  };
  const saved = await call('POST', '/api/alarms', edited);
  assert.equal(saved.status, 200, JSON.stringify(saved.json));
  assert.deepEqual(saved.json, { name: 'editable', created: false });
  const alarms = await AlarmStore.open(store);
  try {
    const stored = (await alarms.require('editable')).definition;
    assert.equal(stored.threshold, 20_000);
    assert.deepEqual(stored.notify, [
      { type: 'webhook', url: 'https://hooks.example/x?token=abc', secret: 'topsecret' },
      { type: 'slack', url: 'https://hooks.slack.com/services/T1/B2/sekrit' },
      { type: 'email', to: ['ops@example.com'] },
    ]);
    // A redacted target whose address was changed is taken as sent (not the old secret URL).
    const changed = {
      ...got.json.definition,
      notify: [{ type: 'slack', url: 'https://hooks.slack.com/services/T9/B9/new' }],
    };
    assert.equal((await call('POST', '/api/alarms', changed)).status, 200);
    assert.deepEqual((await alarms.require('editable')).definition.notify, [
      { type: 'slack', url: 'https://hooks.slack.com/services/T9/B9/new' },
    ]);
  } finally {
    alarms.close();
  }
  assert.equal((await call('DELETE', '/api/alarms/editable')).status, 200);
  assert.equal((await call('GET', '/api/alarms/editable')).status, 404);
  assert.equal((await call('DELETE', '/api/alarms/editable')).status, 404);
});

/** Series as comparable data. */
function plain(series: Series[]): Record<string, [number, number][]> {
  return Object.fromEntries(
    series.map((s) => [s.key, [...s.values].sort((a, b) => a[0] - b[0])] as const).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

test('metric filters read as SQL give the series the matcher gives, for every shape they compile from', async () => {
  const alarms = await AlarmStore.open(store);
  try {
    const from = END + 1 - 3 * DAY;
    const to = END + 1;
    const shapes: Record<string, unknown>[] = [
      { statistic: 'Sum', perDimension: ['App'] },
      { statistic: 'Average', perDimension: ['App'] },
      { statistic: 'p90', perDimension: ['App'] },
      { statistic: 'Maximum', dimensions: { App: 'CodeReviewer' } },
      { statistic: 'SampleCount', filters: [{ filterPattern: '', metricValue: '1' }] },
      {
        statistic: 'Sum',
        filters: [
          {
            filterPattern: '{ $.modelId = "amazon.nova-lite-v1:0" || $.input.inputTokenCount > 900 }',
            metricValue: '$.output.outputTokenCount',
          },
        ],
      },
      {
        statistic: 'Sum',
        filters: [
          { filterPattern: '{ $.requestMetadata.environment != "production" }', metricValue: '2', defaultValue: 0 },
        ],
      },
      {
        statistic: 'Sum',
        perDimension: ['Model', 'Tenant'],
        filters: [
          {
            filterPattern: '{ $.output.outputTokenCount <= 100 && $.requestMetadata.team = "team-sales" }',
            metricValue: '$.input.inputTokenCount',
            dimensions: { Model: '$.modelId', Tenant: '$.requestMetadata.tenant_id' },
            logGroupName: LOG_GROUP,
          },
        ],
      },
    ];
    for (const shape of shapes) {
      const def = parseAlarmDefinition({
        ...TOKENS_METRIC,
        metric: { namespace: 'Bedrock/Usage', name: 'Tokens', filters: TOKENS_METRIC.metric.filters, ...shape },
      }) as MetricAlarmDef;
      const sql = await (await MetricSource.create(store, alarms.conn, def)).series(from, to);
      const matched = await (await MetricSource.create(store, alarms.conn, def, { sql: false })).series(from, to);
      assert.ok(matched.length > 0, JSON.stringify(shape));
      assert.deepEqual(plain(sql), plain(matched), JSON.stringify(shape));
    }
  } finally {
    alarms.close();
  }
});

test('a query alarm read with one binned query gives the series of one query per period', async () => {
  const engine = createEngine(store);
  const from = END + 1 - 2 * DAY;
  const to = END + 1;
  const queries: [string, string, string[]?][] = [
    ['stats sum(input.inputTokenCount) as tokens by requestMetadata.application_name', 'tokens'],
    // No `by`, and most hours have no such record: an hour without events answers as it does alone.
    ['filter input.inputTokenCount > 995 | stats count(*) as n', 'n'],
    [
      'filter modelId like /nova/ | stats avg(output.outputTokenCount) as out, count(*) as n by requestMetadata.tenant_id | sort out desc',
      'out',
      ['requestMetadata.tenant_id'],
    ],
    ['fields input.inputTokenCount * 2 as doubled | stats max(doubled) as top by bin(30m)', 'top'],
  ];
  for (const [queryString, column, keyColumns] of queries) {
    const def = parseAlarmDefinition({
      name: 'q',
      kind: 'query',
      threshold: 1,
      query: { queryString, column, ...(keyColumns ? { keyColumns } : {}) },
    }) as QueryAlarmDef;
    assert.ok(binnedQuery(queryString, def.period), `${queryString} is rewritten`);
    const binned = await new QuerySource(engine, def).series(from, to);
    const perPeriod = await new QuerySource(engine, def, false).series(from, to);
    assert.ok(perPeriod.length > 0, queryString);
    assert.deepEqual(plain(binned), plain(perPeriod), queryString);
  }
  // Not rewritten where it would not be exact.
  for (const q of [
    'stats count(*) as n by requestMetadata.application_name | limit 2',
    'dedup requestId | stats count(*) as n',
    'stats count(*) as n by bin(5m) | stats max(n) as top',
    'stats count(*) as n by bin(1h) offset 30m',
  ])
    assert.equal(binnedQuery(q, 3600), undefined, q);
  assert.equal(binnedQuery('stats count(*) as n', 3600, 7200), undefined, 'a window longer than the period');
});

test('suggested thresholds round up (or down) to 2 significant figures', () => {
  assert.equal(roundSignificant(87_342, 'up'), 88_000);
  assert.equal(roundSignificant(87_000, 'up'), 87_000);
  assert.equal(roundSignificant(87_342, 'down'), 87_000);
  assert.equal(roundSignificant(0.01234, 'up'), 0.013);
  assert.equal(roundSignificant(5, 'up'), 5);
  assert.equal(roundSignificant(0, 'up'), 0);
});
