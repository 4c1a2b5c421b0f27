import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editQuery, fieldText, rowPrefix } from '../../src/api/queryEdit.js';
import { coverageQuery, histogramBin, histogramQuery } from '../../src/api/consoleQueries.js';
import { parseQuery } from '../../src/insights/parser.js';

// The console's edits of a query's text: each result must parse, and keep what the user wrote.

function parses(text: string): void {
  assert.deepEqual(parseQuery(text).diagnostics, [], text);
}

const PLAIN = 'fields @timestamp, @message\n| sort @timestamp desc\n| limit 20';
const STATS = 'fields input.inputTokenCount as Inp\n| filter Inp > 10\n| stats sum(Inp) as T by modelId\n| sort T desc';

test('filter by a value goes after the row-level commands, before sort/limit/stats', () => {
  const a = editQuery(PLAIN, { op: 'filter', field: 'requestMetadata.tenant_id', value: 'tenant-acme' });
  assert.equal(
    a,
    'fields @timestamp, @message\n| filter requestMetadata.tenant_id = "tenant-acme"\n| sort @timestamp desc\n| limit 20',
  );
  const b = editQuery(STATS, { op: 'exclude', field: 'modelId', value: 'x' });
  assert.equal(
    b,
    'fields input.inputTokenCount as Inp\n| filter Inp > 10\n| filter modelId != "x"\n| stats sum(Inp) as T by modelId\n| sort T desc',
  );
  // numbers stay numbers, booleans booleans, no value means "has the field", null "lacks it"
  assert.match(
    editQuery(PLAIN, { op: 'filter', field: 'input.inputTokenCount', value: 512 }),
    /filter input\.inputTokenCount = 512\n/,
  );
  assert.match(editQuery(PLAIN, { op: 'filter', field: 'a.b', value: true }), /filter a\.b = true\n/);
  assert.match(editQuery(PLAIN, { op: 'filter', field: 'errorCode' }), /filter ispresent\(errorCode\)\n/);
  assert.match(
    editQuery(PLAIN, { op: 'filter', field: 'errorCode', value: null }),
    /filter not ispresent\(errorCode\)\n/,
  );
  for (const t of [a, b]) parses(t);
});

test('hostile values and names are quoted, never break the query', () => {
  for (const value of [
    'say "hi"',
    'back\\slash',
    'two\nlines',
    '| stats count(*)',
    '# not a comment',
    "it's",
    '`tick`',
  ]) {
    const q = editQuery(PLAIN, { op: 'filter', field: 'requestMetadata.note', value });
    parses(q);
    // exactly one filter and the pipeline after it unchanged
    assert.equal(
      parseQuery(q)
        .query?.commands.map((c) => c.kind)
        .join(','),
      'fields,filter,sort,limit',
    );
  }
  for (const name of ['detail-type', 'café', 'by', 'a b', '@x-y']) {
    const q = editQuery(PLAIN, { op: 'fields', field: name });
    parses(q);
  }
  assert.equal(fieldText('requestMetadata.tenant_id'), 'requestMetadata.tenant_id');
  assert.equal(fieldText('detail-type'), '`detail-type`');
  assert.throws(() => fieldText('a`b'), /cannot be quoted/);
  assert.throws(() => editQuery('fields | |', { op: 'filter', field: 'a', value: 1 }), /does not parse/);
});

test('add to fields extends the fields command; stats by extends the grouping or makes one', () => {
  assert.equal(
    editQuery(PLAIN, { op: 'fields', field: 'modelId' }),
    'fields @timestamp, @message, modelId\n| sort @timestamp desc\n| limit 20',
  );
  assert.equal(
    editQuery('fields @timestamp, modelId', { op: 'fields', field: 'modelId' }),
    'fields @timestamp, modelId',
    'already there',
  );
  // no fields command: the default columns are kept
  assert.equal(
    editQuery('filter x > 1\n| limit 5', { op: 'fields', field: 'y' }),
    'filter x > 1\n| fields @timestamp, @message, y\n| limit 5',
  );
  assert.equal(
    editQuery(STATS, { op: 'statsBy', field: 'region' }),
    'fields input.inputTokenCount as Inp\n| filter Inp > 10\n| stats sum(Inp) as T by modelId, region\n| sort T desc',
  );
  assert.equal(editQuery('stats count(*)', { op: 'statsBy', field: 'region' }), 'stats count(*) by region');
  // a plain query becomes a count per value; its sort on @timestamp no longer applies
  assert.equal(
    editQuery(PLAIN, { op: 'statsBy', field: 'modelId' }),
    'fields @timestamp, @message\n| stats count(*) as events by modelId\n| sort events desc',
  );
  assert.equal(
    editQuery('', { op: 'statsBy', field: 'modelId' }),
    'stats count(*) as events by modelId\n| sort events desc',
  );
  for (const t of [
    editQuery(PLAIN, { op: 'statsBy', field: 'modelId' }),
    editQuery(STATS, { op: 'statsBy', field: 'region' }),
  ])
    parses(t);
});

test('SOURCE and comments are kept; a filter goes after SOURCE', () => {
  const q = "# mine\nSOURCE '/aws/bedrock/modelinvocations' | stats count(*) by modelId";
  assert.equal(
    editQuery(q, { op: 'filter', field: 'region', value: 'us-east-1' }),
    '# mine\nSOURCE \'/aws/bedrock/modelinvocations\'\n| filter region = "us-east-1" | stats count(*) by modelId',
  );
  assert.equal(editQuery('# only a comment', { op: 'filter', field: 'a', value: 1 }), '# only a comment\nfilter a = 1');
  assert.equal(
    editQuery('# c\nstats count(*)', { op: 'filter', field: 'a', value: 1 }),
    '# c\nfilter a = 1\n| stats count(*)',
  );
});

test("the histogram and coverage count what the query's row-level commands match", () => {
  assert.deepEqual(rowPrefix(PLAIN), { text: 'fields @timestamp, @message', cut: 27, rest: true });
  assert.equal(rowPrefix('').text, '');
  assert.equal(histogramQuery(PLAIN, '1h'), 'fields @timestamp, @message\n| stats count(*) as events by bin(1h) as t');
  assert.equal(
    histogramQuery(STATS, '5m'),
    'fields input.inputTokenCount as Inp\n| filter Inp > 10\n| stats count(*) as events by bin(5m) as t',
  );
  assert.equal(
    histogramQuery('limit 5', '5m'),
    'stats count(*) as events by bin(5m) as t',
    'limit cuts nothing the histogram counts',
  );
  assert.equal(
    coverageQuery('', ['a', 'detail-type']),
    'stats count(*) as events, count(a) as f0, count(`detail-type`) as f1',
  );
  parses(coverageQuery(STATS, ['a.b', 'c']));
  // at most 100 bars, in widths the language spells
  assert.equal(histogramBin(3_600_000).text, '1m');
  assert.equal(histogramBin(86_400_000).text, '30m');
  assert.equal(histogramBin(30 * 86_400_000).text, '12h');
  assert.equal(histogramBin(90 * 86_400_000).text, '1d');
  assert.equal(histogramBin(400 * 86_400_000).text, '7d');
});
