import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRule, evaluationStarts, type Datapoint } from '../../src/alarms/rules.js';
import type { AlarmState, TreatMissingData } from '../../src/alarms/definition.js';
import { parseAlarmDefinition, type MetricAlarmDef } from '../../src/alarms/definition.js';
import { AlarmStore } from '../../src/alarms/store.js';
import { evaluateAlarms } from '../../src/alarms/evaluate.js';
import { Store } from '../../src/store/store.js';
import { HOUR, putEvents, TOKEN_FILTERS } from './helpers.js';

// Datapoints written as CloudWatch's documentation draws them: 0 not breaching, X breaching, - missing.
function pts(s: string): Datapoint[] {
  return [...s].map((c, i) => ({ start: i * HOUR, value: c === '-' ? null : c === 'X' ? 100 : 1 }));
}
function state(s: string, m: number, n: number, t: TreatMissingData, current: AlarmState = 'OK'): AlarmState {
  return evaluateRule(
    pts(s),
    {
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 10,
      evaluationPeriods: n,
      datapointsToAlarm: m,
      treatMissingData: t,
    },
    current,
  ).state;
}

const T: TreatMissingData[] = ['missing', 'ignore', 'breaching', 'notBreaching'];

test('3 out of 3: every treatment of missing data', () => {
  // expected per treatment, in the order missing, ignore, breaching, notBreaching
  const table: [string, AlarmState[]][] = [
    ['000', ['OK', 'OK', 'OK', 'OK']],
    ['XXX', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
    ['00X', ['OK', 'OK', 'OK', 'OK']],
    ['00-', ['OK', 'OK', 'OK', 'OK']],
    ['0--', ['OK', 'OK', 'OK', 'OK']],
    ['0X-', ['OK', 'OK', 'OK', 'OK']],
    ['XX-', ['ALARM', 'ALARM', 'ALARM', 'OK']],
    ['--X', ['ALARM', 'ALARM', 'ALARM', 'OK']],
    ['---', ['INSUFFICIENT_DATA', 'OK', 'ALARM', 'OK']],
  ];
  for (const [points, expected] of table) {
    T.forEach((t, i) => assert.equal(state(points, 3, 3, t), expected[i], `${points} with ${t}`));
  }
});

test('ignore keeps the current state when every datapoint is missing; missing does not', () => {
  assert.equal(state('---', 1, 3, 'ignore', 'ALARM'), 'ALARM');
  assert.equal(state('---', 1, 3, 'ignore', 'INSUFFICIENT_DATA'), 'INSUFFICIENT_DATA');
  assert.equal(
    evaluateRule(
      pts('---'),
      {
        comparisonOperator: 'GreaterThanThreshold',
        threshold: 10,
        evaluationPeriods: 3,
        datapointsToAlarm: 1,
        treatMissingData: 'ignore',
      },
      'ALARM',
    ).retained,
    true,
  );
  assert.equal(state('---', 1, 3, 'missing', 'ALARM'), 'INSUFFICIENT_DATA');
});

test('2 out of 3 (M of N)', () => {
  const table: [string, AlarmState[]][] = [
    ['X0X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
    ['X00', ['OK', 'OK', 'OK', 'OK']],
    ['X-0', ['OK', 'OK', 'ALARM', 'OK']],
    ['--X', ['ALARM', 'ALARM', 'ALARM', 'OK']],
    ['0XX', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
  ];
  for (const [points, expected] of table) {
    T.forEach((t, i) => assert.equal(state(points, 2, 3, t), expected[i], `${points} with ${t}`));
  }
  // 1 out of 5: one breach anywhere in the range alarms
  assert.equal(state('X0000', 1, 5, 'missing'), 'ALARM');
  assert.equal(state('0000X', 1, 5, 'notBreaching'), 'ALARM');
  // only the last N datapoints count
  assert.equal(state('XX000', 2, 3, 'missing'), 'OK');
});

test('comparison operators, including equality at the threshold and anomaly bands', () => {
  const one = (
    op: Parameters<typeof evaluateRule>[1]['comparisonOperator'],
    v: number,
    band?: [number, number],
  ): AlarmState =>
    evaluateRule(
      [{ start: 0, value: v, ...(band ? { lower: band[0], upper: band[1] } : {}) }],
      {
        comparisonOperator: op,
        threshold: 10,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        treatMissingData: 'missing',
      },
      'OK',
    ).state;
  assert.equal(one('GreaterThanThreshold', 10), 'OK');
  assert.equal(one('GreaterThanOrEqualToThreshold', 10), 'ALARM');
  assert.equal(one('LessThanThreshold', 10), 'OK');
  assert.equal(one('LessThanThreshold', 9.5), 'ALARM');
  assert.equal(one('LessThanOrEqualToThreshold', 10), 'ALARM');
  assert.equal(one('LessThanLowerOrGreaterThanUpperThreshold', 5, [6, 20]), 'ALARM');
  assert.equal(one('LessThanLowerOrGreaterThanUpperThreshold', 21, [6, 20]), 'ALARM');
  assert.equal(one('LessThanLowerOrGreaterThanUpperThreshold', 15, [6, 20]), 'OK');
  assert.equal(one('GreaterThanUpperThreshold', 5, [6, 20]), 'OK');
  assert.equal(one('LessThanLowerThreshold', 5, [6, 20]), 'ALARM');
});

test('the evaluation range ends at the last whole period before now minus the delay', () => {
  const t0 = Date.UTC(2026, 0, 1, 10, 0, 0);
  assert.deepEqual(evaluationStarts(t0 + 4 * 60_000, HOUR, 1, 5 * 60_000), [t0 - 2 * HOUR]);
  assert.deepEqual(evaluationStarts(t0 + 5 * 60_000, HOUR, 1, 5 * 60_000), [t0 - HOUR]);
  assert.deepEqual(evaluationStarts(t0 + 5 * 60_000, HOUR, 3, 5 * 60_000), [t0 - 3 * HOUR, t0 - 2 * HOUR, t0 - HOUR]);
});

// --- the same rules through the evaluator, with the store and controlled time ---------------

let store: Store;
let alarms: AlarmStore;
const D0 = Date.UTC(2026, 2, 2, 0, 0, 0);
before(async () => {
  store = await Store.open(':memory:');
  alarms = await AlarmStore.open(store);
  // App A: 3 requests of 500 tokens in hours 1, 2, 4 (1,500 > 1,000), 1 of 100 in hour 3; nothing in hours 0 and 5+.
  const ev: Parameters<typeof putEvents>[1] = [];
  for (const h of [1, 2, 4])
    for (let i = 0; i < 3; i++) ev.push({ ts: D0 + h * HOUR + i * 60_000, app: 'A', input: 400, output: 100 });
  ev.push({ ts: D0 + 3 * HOUR + 60_000, app: 'A', input: 100 });
  await putEvents(store, ev);
});
after(() => {
  alarms.close();
  store.close();
});

function def(name: string, m: number, n: number, t: TreatMissingData): MetricAlarmDef {
  const d = parseAlarmDefinition({
    name,
    kind: 'metric',
    period: 3600,
    evaluationPeriods: n,
    datapointsToAlarm: m,
    threshold: 1000,
    treatMissingData: t,
    evaluationDelay: 300,
    metric: {
      namespace: 'Test',
      name: name,
      statistic: 'Sum',
      dimensions: { App: 'A' },
      filters: TOKEN_FILTERS,
    },
  });
  if (d.kind !== 'metric') throw new Error('not a metric alarm');
  return d;
}

/** The state after evaluating at hh:05 for each hour in `hours` (the period just ended). */
async function walk(name: string, m: number, n: number, t: TreatMissingData, hours: number[]): Promise<AlarmState[]> {
  await alarms.put(def(name, m, n, t));
  const out: AlarmState[] = [];
  for (const h of hours) {
    const r = await evaluateAlarms({ store, alarms }, { at: D0 + h * HOUR + 5 * 60_000, names: [name] });
    assert.equal(r.alarms[0].error, undefined);
    out.push((await alarms.states(name))[0]?.state ?? 'INSUFFICIENT_DATA');
  }
  return out;
}

// Periods 0..7 as datapoints: - X X 0 X - - -  (sums: none, 1500, 1500, 100, 1500, none…)
test('1 of 1 through the evaluator: each treatment, hour by hour', async () => {
  const hours = [1, 2, 3, 4, 5, 6, 7];
  assert.deepEqual(await walk('m1', 1, 1, 'missing', hours), [
    'INSUFFICIENT_DATA',
    'ALARM',
    'ALARM',
    'OK',
    'ALARM',
    'INSUFFICIENT_DATA',
    'INSUFFICIENT_DATA',
  ]);
  assert.deepEqual(await walk('i1', 1, 1, 'ignore', hours), [
    'INSUFFICIENT_DATA',
    'ALARM',
    'ALARM',
    'OK',
    'ALARM',
    'ALARM',
    'ALARM',
  ]);
  assert.deepEqual(await walk('b1', 1, 1, 'breaching', hours), [
    'ALARM',
    'ALARM',
    'ALARM',
    'OK',
    'ALARM',
    'ALARM',
    'ALARM',
  ]);
  assert.deepEqual(await walk('n1', 1, 1, 'notBreaching', hours), ['OK', 'ALARM', 'ALARM', 'OK', 'ALARM', 'OK', 'OK']);
});

test('2 of 3 through the evaluator, with the history of each change and its reason', async () => {
  // ranges at hours 3..8: [-XX] [XX0] [X0X] [0X-] [X--] [---]
  const hours = [3, 4, 5, 6, 7, 8];
  assert.deepEqual(await walk('m23', 2, 3, 'missing', hours), [
    'ALARM',
    'ALARM',
    'ALARM',
    'OK',
    'ALARM',
    'INSUFFICIENT_DATA',
  ]);
  assert.deepEqual(await walk('n23', 2, 3, 'notBreaching', hours), ['ALARM', 'ALARM', 'ALARM', 'OK', 'OK', 'OK']);
  assert.deepEqual(await walk('b23', 2, 3, 'breaching', hours), ['ALARM', 'ALARM', 'ALARM', 'ALARM', 'ALARM', 'ALARM']);
  assert.deepEqual(await walk('i23', 2, 3, 'ignore', hours), ['ALARM', 'ALARM', 'ALARM', 'OK', 'ALARM', 'ALARM']);
  const h = (await alarms.history('m23')).reverse();
  assert.deepEqual(
    h.map((e) => `${e.oldState}->${e.newState}`),
    ['INSUFFICIENT_DATA->ALARM', 'ALARM->OK', 'OK->ALARM', 'ALARM->INSUFFICIENT_DATA'],
  );
  assert.equal(h[0].ts, D0 + 3 * HOUR + 5 * 60_000);
  assert.equal(h[0].value, 1500);
  assert.match(h[0].reason, /^2 of the last 3 datapoint\(s\) > 1,000/);
  assert.equal(h[1].value, 1500); // [0X-]: the newest real datapoint (hour 4) breaches, but one breach is fewer than 2
  assert.match(h[1].reason, /fewer than 2/);
});

test('the evaluation delay: data of the hour just ended is read only after the delay', async () => {
  await alarms.put({ ...def('delay', 1, 1, 'missing'), evaluationDelay: 300 });
  // At 02:04 the range is hour 0 (missing) -> INSUFFICIENT_DATA; at 02:05 it is hour 1 (1,500) -> ALARM.
  await evaluateAlarms({ store, alarms }, { at: D0 + 2 * HOUR + 4 * 60_000, names: ['delay'] });
  assert.equal((await alarms.states('delay'))[0].state, 'INSUFFICIENT_DATA');
  await evaluateAlarms({ store, alarms }, { at: D0 + 2 * HOUR + 5 * 60_000, names: ['delay'] });
  assert.equal((await alarms.states('delay'))[0].state, 'ALARM');
});

test('statistics: Average, SampleCount, Maximum, p50 of a period', async () => {
  const base = def('stat', 1, 1, 'missing');
  const at = D0 + 2 * HOUR + 5 * 60_000; // hour 1: six emissions 400,100,400,100,400,100
  const value = async (statistic: string): Promise<number | null> => {
    await alarms.put({ ...base, name: `stat-${statistic}`, metric: { ...base.metric, statistic } });
    await evaluateAlarms({ store, alarms }, { at, names: [`stat-${statistic}`] });
    return (await alarms.states(`stat-${statistic}`))[0].value;
  };
  assert.equal(await value('Sum'), 1500);
  assert.equal(await value('Average'), 250);
  assert.equal(await value('SampleCount'), 6);
  assert.equal(await value('Maximum'), 400);
  assert.equal(await value('Minimum'), 100);
  assert.equal(await value('p50'), 100);
  assert.equal(await value('p90'), 400);
});
