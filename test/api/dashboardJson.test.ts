import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromCloudWatchBody, splitSource, toCloudWatchBody } from '../../src/api/dashboardJson.js';
import { defaultDashboardBody } from '../../src/workspace/definitions.js';

test('export: log widgets with SOURCE … | query, the view names of CloudWatch, and a 24-column layout', () => {
  const body = toCloudWatchBody(defaultDashboardBody(), { region: 'eu-west-1' });
  assert.equal(body.start, '-P1D');
  assert.equal(body.widgets.length, 6);
  for (const w of body.widgets) {
    assert.equal(w.type, 'log');
    assert.equal(w.properties!.region, 'eu-west-1');
    assert.match(String(w.properties!.query), /^SOURCE '\/aws\/bedrock\/modelinvocations' \| /);
  }
  assert.deepEqual(
    body.widgets.map((w) => [w.properties!.view, w.properties!.stacked]),
    [
      ['timeSeries', false],
      ['pie', undefined],
      ['timeSeries', true],
      ['table', undefined], // the "number" widget: CloudWatch log widgets have no single-number view
      ['table', undefined],
      ['bar', undefined],
    ],
  );
  // two half-width widgets side by side, the cost row (two thirds and a third), then full-width rows
  assert.deepEqual(
    body.widgets.map((w) => [w.x, w.y, w.width]),
    [
      [0, 0, 12],
      [12, 0, 12],
      [0, 7, 16],
      [16, 7, 8],
      [0, 15, 24],
      [0, 26, 24],
    ],
  );
});

test("import: the spec's example body (a log widget and a metric widget)", () => {
  const example = {
    start: '-PT24H',
    widgets: [
      {
        type: 'log',
        x: 0,
        y: 0,
        width: 12,
        height: 6,
        properties: {
          region: 'us-east-1',
          title: 'Tokens per hour by app',
          view: 'timeSeries',
          stacked: false,
          query:
            "SOURCE '/bedrock/invocations' | stats sum(input.inputTokenCount) by bin(1h), requestMetadata.application_name",
        },
      },
      {
        type: 'metric',
        x: 12,
        y: 0,
        width: 12,
        height: 6,
        properties: {
          region: 'us-east-1',
          title: 'Large-input requests',
          view: 'timeSeries',
          stat: 'Sum',
          period: 300,
          metrics: [['Bedrock/Usage', 'LargeInputRequests', 'Application', 'chatbot']],
        },
      },
    ],
  };
  const { body, skipped } = fromCloudWatchBody(JSON.stringify(example));
  assert.deepEqual(body.range, { kind: 'relative', value: '1d' });
  assert.equal(body.widgets.length, 1);
  const w = body.widgets[0];
  assert.equal(w.title, 'Tokens per hour by app');
  assert.equal(w.view, 'line');
  assert.deepEqual(w.logGroups, ['/bedrock/invocations']);
  assert.equal(w.queryString, 'stats sum(input.inputTokenCount) by bin(1h), requestMetadata.application_name');
  assert.equal(skipped.length, 1);
  assert.match(skipped[0], /Large-input requests.*metric/);
});

test('import: stacked timeSeries is a stacked area; several SOURCEs; widgets ordered by position', () => {
  const { body } = fromCloudWatchBody({
    widgets: [
      {
        type: 'log',
        x: 0,
        y: 6,
        width: 24,
        height: 6,
        properties: { query: "SOURCE 'b' | fields @message", view: 'table' },
      },
      {
        type: 'log',
        x: 0,
        y: 0,
        width: 24,
        height: 6,
        properties: {
          query: 'SOURCE \'a\' | SOURCE "c" | stats count(*) by bin(5m)\n| sort x',
          view: 'timeSeries',
          stacked: true,
        },
      },
    ],
  });
  assert.deepEqual(
    body.widgets.map((w) => w.view),
    ['stackedArea', 'table'],
  );
  assert.deepEqual(body.widgets[0].logGroups, ['a', 'c']);
  assert.equal(body.widgets[0].queryString, 'stats count(*) by bin(5m)\n| sort x');
  assert.deepEqual(body.range, { kind: 'relative', value: '3h' }, "CloudWatch's default range when start is absent");
});

test('round trip keeps queries, groups, views and sizes', () => {
  const orig = defaultDashboardBody();
  const { body } = fromCloudWatchBody(toCloudWatchBody(orig));
  // A "number" widget comes back as a table (CloudWatch log widgets have no single-number view).
  assert.deepEqual(
    body.widgets.map((w) => [w.title, w.queryString, w.logGroups, w.view, w.width, w.height]),
    orig.widgets.map((w) => [
      w.title,
      w.queryString,
      w.logGroups,
      w.view === 'number' ? 'table' : w.view,
      w.width,
      w.height,
    ]),
  );
  assert.deepEqual(body.range, orig.range);
});

test('bad bodies are refused with a message that says what is wrong', () => {
  assert.throws(() => fromCloudWatchBody('{not json'), /not valid JSON/);
  assert.throws(() => fromCloudWatchBody({ start: '-PT1H' }), /"widgets" array/);
  assert.deepEqual(splitSource('fields @message'), { logGroups: [], queryString: 'fields @message' });
});
