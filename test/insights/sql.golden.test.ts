/**
 * Golden SQL: the generated DuckDB SQL for representative queries, so that plan and dialect
 * changes show in review. Rewrite the files with UPDATE_GOLDEN=1 after checking the diff.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { parseQuery } from '../../src/insights/parser.js';
import { analyze, type CatalogInfo } from '../../src/insights/analyzer.js';
import { compileDuckDb } from '../../src/insights/sql/duckdb/index.js';
import { HOT_FIELDS } from '../../src/store/schema.js';

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
  [
    'filter-regex-in',
    'filter modelId like /(?i)claude/ and operation in ["Converse", "ConverseStream"] and status not like "2" | fields @timestamp, modelId',
  ],
);

const goldenDir = new URL('./golden/', import.meta.url);
const update = process.env.UPDATE_GOLDEN === '1';

for (const [name, text] of cases) {
  test(`golden SQL: ${name}`, () => {
    const parsed = parseQuery(text);
    assert.ok(parsed.query, JSON.stringify(parsed.diagnostics));
    const a = analyze(parsed.query, { text, catalog, startTime: 1_767_225_600_000, endTime: 1_767_311_999_999 });
    assert.ok(a.plan, JSON.stringify(a.diagnostics));
    const sql = compileDuckDb(a.plan, { now: 1_767_312_000_000 }).sql + '\n';
    const file = new URL(`${name}.sql`, goldenDir);
    if (update || !existsSync(file)) {
      if (!update) assert.fail(`no golden file for ${name}: run with UPDATE_GOLDEN=1 and review it`);
      writeFileSync(file, sql);
      return;
    }
    assert.equal(sql, readFileSync(file, 'utf8'), `generated SQL for ${name} changed: review, then UPDATE_GOLDEN=1`);
  });
}

test('golden SQL: pure Bedrock seed queries read typed columns only (no JSON parsing of @message)', () => {
  for (const [name, text] of cases.filter(([n]) => /^q\d/.test(n))) {
    const parsed = parseQuery(text);
    const a = analyze(parsed.query!, { text, catalog });
    const sql = compileDuckDb(a.plan!, { now: 0 }).sql;
    assert.ok(!/json_extract|message/.test(sql), `${name} reads @message:\n${sql}`);
  }
});
