/**
 * Golden SQL per dialect: the SQL each dialect generates for representative queries, so that
 * plan and dialect changes show in review. Each dialect of DIALECTS has its own folder
 * golden/<name>/ with one file per case; a new dialect adds itself here and writes its files
 * with UPDATE_GOLDEN=1, reviewed by hand (and proven on its engine by the conformance suite).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { compileQuery } from '../../src/insights/compile.js';
import type { CatalogInfo } from '../../src/insights/analyzer.js';
import type { Dialect } from '../../src/insights/sql/dialect.js';
import { lowerPlan } from '../../src/insights/sql/lower.js';
import { duckdb } from '../../src/insights/sql/duckdb/index.js';
import { PLAIN_EVENTS, trinoDialect } from '../../src/insights/sql/trino/index.js';
import { HOT_FIELDS } from '../../src/logs/hot-fields.js';

const DIALECTS: readonly Dialect[] = [duckdb, trinoDialect(PLAIN_EVENTS)];

const GROUP = '/aws/bedrock/modelinvocations';
const catalog: CatalogInfo = {
  logGroups: [{ name: GROUP, genericEvents: 0 }],
  fieldsByGroup: new Map([
    [
      GROUP,
      new Set([
        ...Object.keys(HOT_FIELDS),
        'timestamp',
        'requestMetadata.application_name',
        'requestMetadata.application_id',
        'requestMetadata.environment',
        'requestMetadata.tenant_id',
        'requestMetadata.user_id',
        'requestMetadata.cost_center',
        'requestMetadata.team',
        'output.outputContentType',
        'status',
        'path',
      ]),
    ],
  ]),
  // As in a store of schema 2: the frequent request-metadata keys have columns of their own, the
  // others (tenant_id, user_id here) are read from the MAP, so both paths show.
  columns: new Map([
    ['requestMetadata.application_name', 'md_application_name'],
    ['requestMetadata.environment', 'md_environment'],
    ['requestMetadata.cost_center', 'md_cost_center'],
    ['requestMetadata.team', 'md_team'],
  ]),
};

const dir = new URL('../../queries/bedrock/', import.meta.url);
const cases: [string, string][] = readdirSync(dir)
  .filter((f) => f.endsWith('.insights'))
  .sort()
  .map((f) => [f.replace(/\.insights$/, ''), readFileSync(new URL(f, dir), 'utf8')]);
cases.push(
  ['parse-glob', `parse @message '"status":*,' as st | filter st >= 400 | stats count(*) as errors by bin(5m)`],
  ['dedup', 'fields @timestamp, requestMetadata.user_id as user | dedup user | limit 20'],
  [
    'two-stats',
    'stats sum(input.inputTokenCount) as t by requestMetadata.tenant_id as tenant, bin(1h) | stats avg(t) as mean, max(t) as peak by tenant',
  ],
  // pattern with diff and anomaly: the token masking and numbering are the dialect's; the rest is shared.
  ['pattern-diff-anomaly', 'filter @message like /Exception/ | pattern @message | diff | anomaly'],
  // stats … offset reads the range moved back; bin(ts, p) floors its first argument.
  ['stats-offset', 'stats count(*) as n by bin(@timestamp, 5m) offset 1h'],
  [
    'filter-regex-in',
    'filter modelId like /(?i)claude/ and operation in ["Converse", "ConverseStream"] and status not like "2" | fields @timestamp, modelId',
  ],
);

const update = process.env.UPDATE_GOLDEN === '1';
const RANGE = { startTime: 1_767_225_600_000, endTime: 1_767_311_999_999 };
const NOW = 1_767_312_000_000;

function plan(name: string, text: string, request = {}) {
  const c = compileQuery(text, { catalog, request, now: NOW });
  assert.ok(c.plan, `${name}: ${JSON.stringify(c.diagnostics)}`);
  return c.plan;
}

for (const dialect of DIALECTS) {
  const goldenDir = new URL(`./golden/${dialect.name}/`, import.meta.url);
  for (const [name, text] of cases) {
    test(`golden SQL (${dialect.name}): ${name}`, () => {
      const sql = lowerPlan(plan(name, text, RANGE), dialect, { now: NOW }).sql + '\n';
      const file = new URL(`${name}.sql`, goldenDir);
      if (update || !existsSync(file)) {
        if (!update) assert.fail(`no golden file for ${name}: run with UPDATE_GOLDEN=1 and review it`);
        mkdirSync(goldenDir, { recursive: true });
        writeFileSync(file, sql);
        return;
      }
      assert.equal(
        sql,
        readFileSync(file, 'utf8'),
        `generated ${dialect.name} SQL for ${name} changed: review, then UPDATE_GOLDEN=1`,
      );
    });
  }

  test(`golden SQL (${dialect.name}): stats … offset and diff read the range they need`, () => {
    const offset = lowerPlan(plan('o', 'stats count(*) by bin(5m) offset 1h', RANGE), dialect, { now: NOW });
    assert.deepEqual(offset.scan, {
      logGroups: 'all',
      startTime: RANGE.startTime - 3_600_000,
      endTime: RANGE.endTime - 3_600_000,
    });
    const diff = lowerPlan(plan('d', 'pattern @message | diff previousWeek', RANGE), dialect, { now: NOW });
    assert.deepEqual(diff.scan, {
      logGroups: 'all',
      startTime: RANGE.startTime - 7 * 86_400_000,
      endTime: RANGE.endTime,
    });
  });

  test(`golden SQL (${dialect.name}): pure Bedrock seed queries read typed columns only (no JSON parsing of @message)`, () => {
    for (const [name, text] of cases.filter(([n]) => /^q\d/.test(n))) {
      const compiled = lowerPlan(plan(name, text), dialect, { now: 0 });
      assert.equal(compiled.readsMessage, false, `${name} reads @message:\n${compiled.sql}`);
    }
  });
}

test('golden SQL (duckdb): the scan facts are what the statistics read', () => {
  const c = lowerPlan(
    plan('q', 'filter @message like "x" | stats count(*)', { ...RANGE, logGroups: [GROUP] }),
    duckdb,
    { now: NOW },
  );
  assert.equal(c.readsMessage, true);
  assert.deepEqual(c.scan, { logGroups: [GROUP], ...RANGE });
  assert.equal(
    c.scanWhere,
    `log_group IN ('/aws/bedrock/modelinvocations') AND ts >= ${RANGE.startTime} AND ts <= ${RANGE.endTime}`,
  );
  assert.ok(c.scannedSql.endsWith(` FROM events WHERE ${c.scanWhere}`), c.scannedSql);
  const open = lowerPlan(plan('q', 'fields modelId'), duckdb, { now: NOW });
  assert.deepEqual(open.scan, { logGroups: 'all' });
  assert.equal(open.scanWhere, '');
  assert.equal(open.scannedSql.includes('WHERE'), false);
  assert.equal(open.readsMessage, false);
  assert.ok(!/json_extract|message/.test(open.sql), open.sql);
});
