import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backtest } from '../../src/alarms/backtest.js';
import { builtinAlarms, parseAlarmDefinition } from '../../src/alarms/definition.js';
import { evaluateAlarms, type AlarmRuntime } from '../../src/alarms/evaluate.js';
import { AlarmStore } from '../../src/alarms/store.js';
import { writeDataset } from '../../src/demo/generator.js';
import { plantedWindows, type TimeWindow } from '../../src/demo/planted.js';
import { createDuckDbEngine } from '../../src/engines/duckdb.js';
import type { QueryEngine } from '../../src/engines/engine.js';
import { priceEvents } from '../../src/pricing/index.js';
import { ingestPaths } from '../../src/sources/ingest.js';
import { Store } from '../../src/store/store.js';

// The alarm kinds on the demo data set (3,000 records over 30 days, so the tests stay small),
// against the anomalies the generator plants (src/demo/planted.ts).
const END = Date.parse('2026-11-01T00:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const planted = plantedWindows(END, 30)!;
let dir: string;
let store: Store;
let alarms: AlarmStore;
let engine: QueryEngine;
let rt: AlarmRuntime;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'h10-kinds-'));
  await writeDataset({
    out: join(dir, 'demo.jsonl'),
    format: 'jsonl',
    records: 3000,
    days: 30,
    seed: 7,
    end: END,
    bodies: false,
  });
  store = await Store.open(join(dir, 'store.duckdb'));
  await ingestPaths(store, [join(dir, 'demo.jsonl')]);
  alarms = await AlarmStore.open(store);
  engine = createDuckDbEngine(store);
  rt = { store, alarms, engine: () => engine };
});
after(async () => {
  await engine.close();
  alarms.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function sql(q: string, params: (string | number | bigint)[] = []): Promise<unknown[][]> {
  return (await store.connection.runAndReadAll(q, params)).getRows();
}
const inside = (t: number | null, w: TimeWindow): boolean => t !== null && t >= w.startMs && t < w.endMs;

test('backtest of the built-in BedrockTokenUsageHourly over 30 days finds the planted hour of HRPortalApp', async () => {
  const def = builtinAlarms()[0];
  const r = await backtest(rt, def, { since: END - 30 * DAY, until: END });
  const w = planted.hourlyTokenAlarm;
  const hr = r.transitions.filter((t) => t.labels.ApplicationName === 'HRPortalApp' && t.to === 'ALARM');
  const [[expected]] = (await sql(
    `SELECT sum(input_tokens + output_tokens) FROM events WHERE request_metadata['application_name'] = 'HRPortalApp' AND ts >= $1 AND ts < $2`,
    [BigInt(w.startMs), BigInt(w.endMs)],
  )) as [[bigint]];
  assert.equal(hr.length, 1);
  assert.equal(hr[0].periodStart, w.startMs);
  assert.equal(hr[0].at, w.endMs + 5 * 60_000);
  assert.equal(hr[0].value, Number(expected));
  assert.match(hr[0].reason, /^1 of the last 1 datapoint\(s\) > 10,000/);
  // Every other alarm is the other plant (a user sending >5,000-token inputs to SalesAssistantApp).
  for (const t of r.transitions.filter((x) => x.to === 'ALARM' && x.labels.ApplicationName !== 'HRPortalApp')) {
    assert.equal(t.labels.ApplicationName, 'SalesAssistantApp');
    assert.ok(inside(t.periodStart, planted.oversizedRequests), new Date(t.periodStart!).toISOString());
  }
  // And it recovers the next hour (missing data is not breaching).
  const back = r.transitions.find((t) => t.labels.ApplicationName === 'HRPortalApp' && t.from === 'ALARM');
  assert.equal(back?.at, w.endMs + HOUR + 5 * 60_000);
});

test('anomaly alarms find the planted anomalies per tenant and per application, and nothing else', async () => {
  const byTenant = parseAlarmDefinition({
    name: 'tenant-anomaly',
    kind: 'anomaly',
    period: 3600,
    comparisonOperator: 'GreaterThanUpperThreshold',
    anomaly: { metric: 'tokens', groupBy: 'requestMetadata.tenant_id' },
  });
  const r = await backtest(rt, byTenant, { since: END - 14 * DAY, until: END });
  const alarmsOf = (x: typeof r): string[] =>
    [...new Set(x.transitions.filter((t) => t.to === 'ALARM').map((t) => Object.values(t.labels)[0]))].sort();
  assert.deepEqual(alarmsOf(r), ['sales-emea', 'tenant-globex']);
  for (const t of r.transitions.filter((x) => x.to === 'ALARM')) {
    const w =
      t.labels['requestMetadata.tenant_id'] === 'tenant-globex' ? planted.tenantSpike : planted.oversizedRequests;
    assert.ok(inside(t.periodStart, w), `${t.series} at ${new Date(t.periodStart!).toISOString()}`);
  }
  const byApp = parseAlarmDefinition({
    name: 'app-anomaly',
    kind: 'anomaly',
    period: 3600,
    comparisonOperator: 'GreaterThanUpperThreshold',
    anomaly: { metric: 'tokens', groupBy: 'requestMetadata.application_name' },
  });
  const r2 = await backtest(rt, byApp, { since: END - 14 * DAY, until: END });
  assert.deepEqual(alarmsOf(r2), ['HRPortalApp', 'SalesAssistantApp']);
  const hr = r2.transitions.find(
    (t) => t.to === 'ALARM' && t.labels['requestMetadata.application_name'] === 'HRPortalApp',
  )!;
  assert.equal(hr.periodStart, planted.hourlyTokenAlarm.startMs);
});

test('an anomaly ALARM explains itself: the band and the tenant that drove it', async () => {
  const def = parseAlarmDefinition({
    name: 'globex-band',
    kind: 'anomaly',
    period: 3600,
    evaluationDelay: 0,
    comparisonOperator: 'GreaterThanUpperThreshold',
    anomaly: { metric: 'tokens', groupBy: 'requestMetadata.application_name' },
  });
  await alarms.put(def);
  const at = planted.hourlyTokenAlarm.endMs;
  const r = await evaluateAlarms(rt, { at, names: ['globex-band'] });
  const t = r.alarms[0].transitions.find((x) => x.to === 'ALARM')!;
  assert.equal(t.labels['requestMetadata.application_name'], 'HRPortalApp');
  const h = (await alarms.history('globex-band')).find((e) => e.newState === 'ALARM')!;
  const e = h.explanation as {
    drivers: { dimension: string; items: { value: string; current: number; previous: number }[] }[];
  };
  const kinds = e.drivers.find((d) => d.dimension === 'tokenKind')!;
  const [[input]] = (await sql(
    `SELECT sum(input_tokens) FROM events WHERE request_metadata['application_name'] = 'HRPortalApp' AND ts >= $1 AND ts < $2`,
    [BigInt(planted.hourlyTokenAlarm.startMs), BigInt(planted.hourlyTokenAlarm.endMs)],
  )) as [[bigint]];
  assert.equal(kinds.items.find((i) => i.value === 'inputTokens')!.current, Number(input));
  assert.ok(e.drivers.some((d) => d.dimension === 'user'));
});

test('a query alarm: any application over 10,000 tokens in the last hour, one series per row', async () => {
  const def = parseAlarmDefinition({
    name: 'apps-over-10k',
    kind: 'query',
    period: 3600,
    threshold: 10000,
    treatMissingData: 'notBreaching',
    query: {
      queryString:
        'stats sum(input.inputTokenCount + output.outputTokenCount) as tokens by requestMetadata.application_name as app',
      column: 'tokens',
      keyColumns: ['app'],
    },
  });
  await alarms.put(def);
  const r = await evaluateAlarms(rt, { at: planted.hourlyTokenAlarm.endMs + 5 * 60_000, names: ['apps-over-10k'] });
  const a = r.alarms[0];
  assert.equal(a.error, undefined);
  assert.deepEqual(
    a.transitions.filter((t) => t.to === 'ALARM').map((t) => t.labels.app),
    ['HRPortalApp'],
  );
  // Rows of the evaluated hour and of the hour before (read for the explanation) are series.
  const [[n]] = (await sql(
    `SELECT count(DISTINCT coalesce(request_metadata['application_name'], '')) FROM events WHERE ts >= $1 AND ts < $2`,
    [BigInt(planted.hourlyTokenAlarm.startMs - HOUR), BigInt(planted.hourlyTokenAlarm.endMs)],
  )) as [[bigint]];
  assert.equal(a.series, Number(n));
  const b = await backtest(rt, def, {
    since: planted.hourlyTokenAlarm.startMs - 2 * HOUR,
    until: planted.hourlyTokenAlarm.endMs + 2 * HOUR,
  });
  assert.deepEqual(
    b.transitions.filter((t) => t.to === 'ALARM').map((t) => [t.labels.app, t.periodStart]),
    [['HRPortalApp', planted.hourlyTokenAlarm.startMs]],
  );
});

test('budget alarms: month-to-date cost per cost center at 50/80/100% and the month-end forecast', async () => {
  await priceEvents(store);
  const [[total]] = (await sql(
    `SELECT sum(cost_total) FROM events WHERE request_metadata['cost_center'] = 'CS-123' AND ts < $1`,
    [BigInt(END)],
  )) as [[number]];
  assert.ok(total > 0, 'the demo data is priced');
  const budget = total * 1.2; // October ends at 83%: 50% and 80% alarm, 100% does not
  const def = parseAlarmDefinition({
    name: 'cs-budget',
    kind: 'budget',
    period: 3600,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'notBreaching',
    budget: {
      owner: 'requestMetadata.cost_center',
      budgets: { 'CS-123': budget },
      thresholds: [50, 80, 100],
      forecast: true,
    },
  });
  const r = await backtest(rt, def, { since: END - 30 * DAY, until: END - HOUR });
  // The hour in which the cumulative October cost first reaches p% of the budget, by plain SQL.
  const crossing = async (p: number): Promise<number | null> => {
    const rows = await sql(
      `SELECT h FROM (SELECT h, sum(c) OVER (ORDER BY h) AS cum FROM (SELECT (ts // 3600000) * 3600000 AS h, sum(cost_total) AS c FROM events
      WHERE request_metadata['cost_center'] = 'CS-123' AND ts >= $1 AND ts < $2 GROUP BY 1)) WHERE cum >= $3 ORDER BY h LIMIT 1`,
      [BigInt(Date.UTC(2026, 9, 1)), BigInt(END), (budget * p) / 100],
    );
    return rows.length ? Number(rows[0][0]) : null;
  };
  const into = (label: string): (number | null)[] =>
    r.transitions.filter((t) => t.labels.threshold === label && t.to === 'ALARM').map((t) => t.periodStart);
  assert.deepEqual(into('50%'), [await crossing(50)]);
  assert.deepEqual(into('80%'), [await crossing(80)]);
  assert.equal(await crossing(100), null);
  assert.deepEqual(into('100%'), []);
  // The forecast (month-to-date ÷ elapsed share of October) exceeds the budget at some point; never before 3 days of data.
  const fc = r.transitions.filter((t) => t.labels.threshold === 'forecast' && t.to === 'ALARM');
  for (const t of fc) assert.ok(t.periodStart! >= Date.UTC(2026, 9, 3, 23));
  const history = r.transitions.filter((t) => t.labels.threshold === '50%');
  assert.equal(history[0].threshold, budget / 2);
});

test('definitions are validated with messages naming the field', () => {
  assert.throws(
    () => parseAlarmDefinition({ name: 'x', kind: 'metric', metric: { namespace: 'n', name: 'm' } }),
    /threshold is required/,
  );
  assert.throws(
    () =>
      parseAlarmDefinition({
        name: 'x',
        kind: 'metric',
        threshold: 1,
        evaluationPeriods: 2,
        datapointsToAlarm: 3,
        metric: { namespace: 'n', name: 'm' },
      }),
    /datapointsToAlarm must not exceed evaluationPeriods/,
  );
  assert.throws(
    () =>
      parseAlarmDefinition({
        name: 'x',
        kind: 'metric',
        threshold: 1,
        period: 90,
        metric: { namespace: 'n', name: 'm' },
      }),
    /period: period must be 10, 20, 30 or a multiple of 60/,
  );
  assert.throws(
    () =>
      parseAlarmDefinition({
        name: 'x',
        kind: 'metric',
        threshold: 1,
        metric: { namespace: 'n', name: 'm', statistic: 'Median' },
      }),
    /metric\.statistic/,
  );
  assert.throws(
    () =>
      parseAlarmDefinition({
        name: 'x',
        kind: 'metric',
        threshold: 1,
        metric: { namespace: 'n', name: 'm', filters: [{ filterPattern: '{ $.a = ', metricValue: '1' }] },
      }),
    /metric\.filters\.0\.filterPattern: is not a valid filter pattern/,
  );
  assert.throws(
    () => parseAlarmDefinition({ name: 'x', kind: 'anomaly', comparisonOperator: 'GreaterThanThreshold', anomaly: {} }),
    /anomaly alarm compares with its band/,
  );
  assert.throws(
    () => parseAlarmDefinition({ name: 'x', kind: 'budget', budget: { owner: 'requestMetadata.team' } }),
    /budget\.budgets or budget\.defaultBudget is required/,
  );
  assert.throws(
    () =>
      parseAlarmDefinition({
        name: 'x',
        kind: 'metric',
        threshold: 1,
        notify: [{ type: 'sns', topicArn: 'topic' }],
        metric: { namespace: 'n', name: 'm' },
      }),
    /notify\.0\.topicArn/,
  );
  const ok = parseAlarmDefinition({ name: 'x', kind: 'metric', threshold: 1, metric: { namespace: 'n', name: 'm' } });
  assert.deepEqual(
    [ok.period, ok.evaluationPeriods, ok.treatMissingData, ok.evaluationDelay, ok.comparisonOperator],
    [3600, 1, 'missing', 300, 'GreaterThanThreshold'],
  );
});
