import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeDataset } from '../../src/demo/generator.js';
import { plantedWindows } from '../../src/demo/planted.js';
import { ingestPaths } from '../../src/sources/ingest.js';
import { Store } from '../../src/store/store.js';
import { startReceiver, type HttpCatcher } from './helpers.js';

// `bedrock-insights alarms …` as a user runs it (a separate process over a store file).
const END = '2026-11-01T00:00:00Z';
const win = plantedWindows(Date.parse(END), 30)!.hourlyTokenAlarm;
let dir: string;
let db: string;
let hook: HttpCatcher;

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', resolve('test/alarms/run-cli.ts'), 'alarms', ...args, '--db', db],
      { timeout: 120_000 },
      (err, stdout, stderr) => {
        res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'h10-cli-'));
  db = join(dir, 'store.duckdb');
  await writeDataset({
    out: join(dir, 'demo.jsonl'),
    format: 'jsonl',
    records: 3000,
    days: 30,
    seed: 7,
    end: END,
    bodies: false,
  });
  const store = await Store.open(db);
  await ingestPaths(store, [join(dir, 'demo.jsonl')]);
  store.close();
  hook = await startReceiver();
});
after(async () => {
  await hook.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the built-in alarm ships inactive; backtest --format json finds the planted hour; table output names it', async () => {
  const list = await cli('list');
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^BedrockTokenUsageHourly\s+metric\s+no\s+INSUFFICIENT_DATA\s+-$/m);

  const bt = await cli('backtest', 'BedrockTokenUsageHourly', '--since', '30d', '--until', END, '--format', 'json');
  assert.equal(bt.code, 0, bt.stderr);
  const r = JSON.parse(bt.stdout) as {
    evaluations: number;
    transitions: {
      labels: Record<string, string>;
      to: string;
      at: number;
      periodStart: number;
      value: number;
      reason: string;
    }[];
  };
  assert.equal(r.evaluations, 30 * 24);
  const hr = r.transitions.filter((t) => t.labels.ApplicationName === 'HRPortalApp' && t.to === 'ALARM');
  assert.deepEqual(
    hr.map((t) => t.periodStart),
    [win.startMs],
  );
  assert.ok(hr[0].value > 10_000);

  const table = await cli('backtest', 'BedrockTokenUsageHourly', '--since', '2d', '--until', END);
  assert.equal(table.code, 0, table.stderr);
  assert.match(
    table.stdout,
    /^BedrockTokenUsageHourly: 48 evaluations from 2026-10-30T00:00:00Z to 2026-11-01T00:00:00Z over \d+ series; 1 time\(s\) into ALARM\./,
  );
  assert.match(
    table.stdout,
    new RegExp(
      `^${new Date(win.endMs + 300_000).toISOString().replace('.000Z', 'Z')}\\s+ApplicationName=HRPortalApp\\s+OK -> ALARM\\s+[\\d,]+\\s+10,000\\s+1 of the last 1 datapoint`,
      'm',
    ),
  );
});

test('enable needs a recipient; create, evaluate --at, history, test-notify, delete', async () => {
  const bad = await cli('enable', 'BedrockTokenUsageHourly');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /error \[ALARM_NO_TARGETS\]: .*--to ADDRESS/);
  const en = await cli('enable', 'BedrockTokenUsageHourly', '--to', hook.url);
  assert.equal(en.code, 0, en.stderr);
  assert.match(en.stdout, /Enabled alarm BedrockTokenUsageHourly; notifies webhook:/);

  const file = join(dir, 'alarm.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'hr-1k',
      kind: 'metric',
      threshold: 1000,
      metric: {
        namespace: 'x',
        name: 'y',
        dimensions: {},
        filters: [
          {
            filterPattern: '{ $.requestMetadata.application_name = "HRPortalApp" }',
            metricValue: '$.input.inputTokenCount',
          },
        ],
      },
      notify: [{ type: 'webhook', url: hook.url }],
    }),
  );
  const created = await cli('create', '-f', file);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /^Created alarm hr-1k \(metric, enabled, notifies webhook:/);
  const invalid = join(dir, 'bad.json');
  writeFileSync(
    invalid,
    JSON.stringify({ name: 'b', kind: 'metric', metric: { namespace: 'x', name: 'y' }, evaluationPeriods: 0 }),
  );
  const rejected = await cli('create', '-f', invalid);
  assert.equal(rejected.code, 2);
  assert.match(rejected.stderr, /error \[ALARM_INVALID\]: .*bad\.json is not valid:\n {2}evaluationPeriods: /);

  const ev = await cli('evaluate', '--at', new Date(win.endMs + 300_000).toISOString());
  assert.equal(ev.code, 0, ev.stderr);
  assert.match(ev.stdout, /Evaluated 2 alarm\(s\) at /);
  assert.match(
    ev.stdout,
    /ApplicationName=HRPortalApp: INSUFFICIENT_DATA -> ALARM: 1 of the last 1 datapoint\(s\) > 10,000/,
  );
  assert.match(ev.stdout, /notification sent: BedrockTokenUsageHourly -> webhook:/);
  assert.equal(
    hook.requests.filter((r) => (JSON.parse(r.body) as { alarm: string }).alarm === 'BedrockTokenUsageHourly').length,
    1,
  );

  const again = await cli('evaluate', '--at', new Date(win.endMs + 300_000).toISOString());
  assert.doesNotMatch(again.stdout, /->/);
  assert.equal(
    hook.requests.filter((r) => (JSON.parse(r.body) as { alarm: string }).alarm === 'BedrockTokenUsageHourly').length,
    1,
  );

  const hist = await cli('history', 'BedrockTokenUsageHourly', '--format', 'json');
  const h = JSON.parse(hist.stdout) as {
    history: { newState: string; labels: Record<string, string> }[];
    notifications: { status: string; payload?: string }[];
  };
  assert.deepEqual(
    h.history.filter((e) => e.newState === 'ALARM').map((e) => e.labels.ApplicationName),
    ['HRPortalApp'],
  );
  assert.equal(h.notifications[0].status, 'sent');
  assert.equal(h.notifications[0].payload, undefined);

  const before = hook.requests.length;
  const tn = await cli('test-notify', 'hr-1k');
  assert.equal(tn.code, 0, tn.stderr);
  assert.match(tn.stdout, /^sent {2}webhook:/);
  assert.equal(hook.requests.length, before + 1);

  const del = await cli('delete', 'hr-1k');
  assert.equal(del.code, 0);
  const gone = await cli('history', 'hr-1k');
  assert.equal(gone.code, 2);
  assert.match(gone.stderr, /ALARM_NOT_FOUND/);
  const list = await cli('list');
  assert.match(list.stdout, /^BedrockTokenUsageHourly\s+metric\s+yes\s+ALARM \(ApplicationName=HRPortalApp\)/m);
});
