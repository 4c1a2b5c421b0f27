import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QueryResult } from '../../src/engines/engine.js';
import { caseFiles, loadCases, queryText, validateCaseFile } from './cases.js';
import { compareResult, rowDiff, valuesMatch } from './compare.js';
import { DATASETS_DIR, datasetPath } from './paths.js';

/**
 * Checks of the suite itself. They import nothing of the product but types, so they run even
 * while the engine or the ingest path is missing or broken.
 */

test('every case file is valid', () => {
  const files = caseFiles();
  assert.ok(files.length >= 5, 'case files exist');
  const problems = files.flatMap((f) => validateCaseFile(f));
  assert.deepEqual(problems, []);
});

test('case names are unique across files (they name the node:test tests)', () => {
  const seen = new Set<string>();
  for (const lc of loadCases()) {
    const key = `${lc.file} › ${lc.case.name}`;
    assert.ok(!seen.has(key), key);
    seen.add(key);
  }
});

/** Every tier-1/2 function, aggregate (with alias spellings) and command of the spec (§3, §5). */
const SPEC_FUNCTIONS = [
  'abs',
  'ceil',
  'floor',
  'sqrt',
  'log',
  'greatest',
  'least',
  'round',
  'haversine',
  'toNumber',
  'toDouble',
  'toInt',
  'toLong',
  'ispresent',
  'coalesce',
  'if',
  'case',
  'isNumeric',
  'messageSize',
  'queryStartTime',
  'queryEndTime',
  'queryTimeRange',
  'isempty',
  'isblank',
  'concat',
  'ltrim',
  'rtrim',
  'trim',
  'strlen',
  'toupper',
  'tolower',
  'substr',
  'replace',
  'regexReplace',
  'regex_replace',
  'strcontains',
  'startsWith',
  'endsWith',
  'split',
  'urlencode',
  'urldecode',
  'base64encode',
  'base64decode',
  'hexToAscii',
  'hexToDec',
  'decToHex',
  'bin',
  'datefloor',
  'dateceil',
  'fromMillis',
  'toMillis',
  'now',
  'parseDate',
  'formatDate',
  'strftime',
  'isValidIp',
  'isValidIpV4',
  'isValidIpV6',
  'isIpInSubnet',
  'isIpv4InSubnet',
  'isIpv6InSubnet',
  'ipv4ToNumber',
  'isPrivateIP',
  'isPublicIP',
  'isReservedIP',
  'jsonParse',
  'jsonStringify',
  'jsonArraySize',
  'jsonArrayContains',
  'md5',
  'sha256',
  'unmask',
  'count',
  'count_distinct',
  'countDistinct',
  'sum',
  'avg',
  'min',
  'max',
  'pct',
  'stddev',
  'earliest',
  'latest',
  'sortsFirst',
  'sortsLast',
  'rate',
  'countOverTime',
  'count_over_time',
  'sumOverTime',
  'sum_over_time',
  'histogram',
];
const SPEC_COMMANDS = [
  'fields',
  'display',
  'filter',
  'where',
  'filterIndex',
  'stats',
  'sort',
  'limit',
  'head',
  'parse',
  'dedup',
  'unnest',
  'expand',
  'fillmissing',
  'SOURCE',
];

test('every spec function, aggregate spelling and command has a case', () => {
  const texts = loadCases().map((lc) => queryText(lc.case));
  const missingFns = SPEC_FUNCTIONS.filter(
    (f) => !texts.some((t) => new RegExp(`(^|[^\\w.])${f}\\s*\\(`, 'i').test(t)),
  );
  const missingCmds = SPEC_COMMANDS.filter((c) => !texts.some((t) => new RegExp(`(^|\\|)\\s*${c}\\b`, 'i').test(t)));
  assert.deepEqual({ missingFns, missingCmds }, { missingFns: [], missingCmds: [] });
});

test('every data set is used by a case and saved-queries.json is well formed', () => {
  const used = new Set(loadCases().map((lc) => lc.case.dataset));
  const sets = readdirSync(DATASETS_DIR).map((f) => f.replace(/\.(jsonl|gen\.json)$/, ''));
  assert.deepEqual(
    sets.filter((d) => !used.has(d)),
    [],
  );
  for (const d of used) assert.ok(datasetPath(d), d);
  const saved = JSON.parse(readFileSync(new URL('saved-queries.json', import.meta.url), 'utf8')) as {
    queries: Record<string, { queryString: unknown }>;
  };
  for (const [name, q] of Object.entries(saved.queries)) assert.equal(typeof q.queryString, 'string', name);
});

test('every data set line is a Bedrock record, a generic event or a comment', () => {
  for (const f of readdirSync(DATASETS_DIR)) {
    if (!f.endsWith('.jsonl')) continue;
    readFileSync(join(DATASETS_DIR, f), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!line.trim()) return;
        const o = JSON.parse(line) as Record<string, unknown>;
        const where = `${f}:${i + 1}`;
        if ('comment' in o) assert.equal(Object.keys(o).length, 1, `${where}: a comment line holds only comment`);
        else if ('bedrock' in o) {
          const r = o.bedrock as Record<string, unknown>;
          assert.equal(r.schemaType, 'ModelInvocationLog', where);
          assert.ok(typeof r.timestamp === 'string' && !Number.isNaN(Date.parse(r.timestamp)), `${where}: timestamp`);
        } else {
          for (const k of ['logGroup', 'logStream', 'timestamp', 'message']) assert.ok(k in o, `${where}: ${k}`);
        }
      });
  }
});

function result(rows: Record<string, string>[], extra: Partial<QueryResult> = {}): QueryResult {
  return {
    columns: rows[0] ? Object.keys(rows[0]) : [],
    rows: rows.map((r) => Object.entries(r).map(([field, value]) => ({ field, value }))),
    statistics: {
      recordsMatched: 0,
      recordsScanned: 0,
      estimatedRecordsSkipped: 0,
      bytesScanned: 0,
      estimatedBytesSkipped: 0,
      logGroupsScanned: 0,
    },
    status: 'Complete',
    warnings: [],
    truncated: false,
    aggregated: false,
    ...extra,
  };
}

test('comparison: sparse rows must match key for key', () => {
  assert.deepEqual(rowDiff({ a: '1' }, { a: '1' }), []);
  assert.equal(rowDiff({ a: '1' }, { a: '1', b: '' }).length, 1, 'an extra empty field is a difference');
  assert.equal(rowDiff({ a: '1', b: '2' }, { a: '1' }).length, 1, 'a missing field is a difference');
  assert.equal(rowDiff({ a: '1' }, { a: '1.0' }).length, 1, 'number text is compared exactly without tolerance');
});

test('comparison: numeric tolerance applies to numbers only', () => {
  assert.ok(valuesMatch('90.9', '90.909090', 0.05));
  assert.ok(!valuesMatch('90.9', '91', 0.05));
  assert.ok(!valuesMatch('abc', 'abd', 10));
});

test('comparison: unordered, ordered and subset matching', () => {
  const r = result([
    { k: 'a', n: '1' },
    { k: 'b', n: '2' },
  ]);
  assert.deepEqual(
    compareResult(
      {
        rows: [
          { k: 'b', n: '2' },
          { k: 'a', n: '1' },
        ],
        ordered: false,
      },
      r,
    ),
    [],
  );
  assert.notDeepEqual(
    compareResult(
      {
        rows: [
          { k: 'b', n: '2' },
          { k: 'a', n: '1' },
        ],
        ordered: true,
      },
      r,
    ),
    [],
  );
  assert.notDeepEqual(
    compareResult({ rows: [{ k: 'a', n: '1' }], ordered: false }, r),
    [],
    'extra rows fail without subset',
  );
  assert.deepEqual(compareResult({ rows: [{ k: 'a', n: '1' }], ordered: false, subset: true }, r), []);
  assert.notDeepEqual(
    compareResult(
      {
        rows: [
          { k: 'a', n: '1' },
          { k: 'a', n: '1' },
        ],
        ordered: false,
        subset: true,
      },
      r,
    ),
    [],
    'each expected row consumes one actual row',
  );
});

test('comparison: @ptr position, absent fields, top per group and warnings', () => {
  const withPtr = result([{ a: '1', '@ptr': 'x' }]);
  assert.deepEqual(compareResult({ rows: [{ a: '1' }], ordered: true, ptr: 'last' }, withPtr), []);
  assert.notDeepEqual(compareResult({ rows: [{ a: '1' }], ordered: true, ptr: 'absent' }, withPtr), []);
  const ptrFirst = result([{ '@ptr': 'x', a: '1' }]);
  assert.notDeepEqual(compareResult({ rows: [{ a: '1' }], ordered: true, ptr: 'last' }, ptrFirst), []);
  const groups = result([
    { g: 'x', v: '10' },
    { g: 'x', v: '20' },
  ]);
  assert.notDeepEqual(
    compareResult(
      { rows: [{ g: 'x', v: '10' }], ordered: false, subset: true, topPerGroup: { group: 'g', field: 'v' } },
      groups,
    ),
    [],
  );
  assert.deepEqual(
    compareResult(
      { rows: [{ g: 'x', v: '20' }], ordered: false, subset: true, topPerGroup: { group: 'g', field: 'v' } },
      groups,
    ),
    [],
  );
  assert.notDeepEqual(compareResult({ minRows: 1, absentFields: ['v'] }, groups), []);
  const warned = result([], {
    warnings: [
      {
        code: 'FIELD_UNKNOWN',
        severity: 'warning',
        message: 'x never occurs',
        span: { start: 0, end: 1 },
        line: 1,
        column: 0,
        suggestion: 'output.outputTokenCount',
      },
    ],
  });
  assert.deepEqual(compareResult({ rowCount: 0, warnings: [{ includes: 'output.outputTokenCount' }] }, warned), []);
  assert.notDeepEqual(compareResult({ rowCount: 0, warnings: [{ includes: 'inputTokenCount' }] }, warned), []);
});

test('comparison: column sums', () => {
  const r = result([{ h: '1', t: '10' }, { h: '2', t: '32' }, { h: '3' }]);
  assert.deepEqual(compareResult({ rowCount: 3, columnSums: { t: 42 } }, r), []);
  assert.notDeepEqual(compareResult({ rowCount: 3, columnSums: { t: 43 } }, r), []);
});

test('comparison: eachRow', () => {
  const r = result([
    { a: 'x', b: '1' },
    { a: 'x', b: '2' },
  ]);
  assert.deepEqual(compareResult({ rowCount: 2, eachRow: { a: 'x' } }, r), []);
  assert.notDeepEqual(compareResult({ rowCount: 2, eachRow: { b: '1' } }, r), []);
});

test('comparison: statistics members compare exactly', () => {
  const r = result([{ a: '1' }], {
    statistics: {
      recordsMatched: 3,
      recordsScanned: 3,
      estimatedRecordsSkipped: 0,
      bytesScanned: 48,
      estimatedBytesSkipped: 0,
      logGroupsScanned: 1,
    },
  });
  assert.deepEqual(compareResult({ rowCount: 1, statistics: { recordsMatched: 3 } }, r), []);
  assert.notDeepEqual(compareResult({ rowCount: 1, statistics: { recordsScanned: 4 } }, r), []);
});
