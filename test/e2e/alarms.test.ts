import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeDataset } from '../../src/demo/generator.js';
import { plantedWindows } from '../../src/demo/planted.js';
import { ingestPaths } from '../../src/sources/ingest.js';
import { Store } from '../../src/store/store.js';
import { ACCESS_KEY, AWS_CLI, SECRET_KEY, awsCli } from '../cloudwatch/helpers.js';
import { startSmtp, type SmtpCatcher } from '../alarms/helpers.js';

// The guide's alarm scenario (mission.md section 10) end to end: demo data in which HRPortalApp
// crosses 10,000 tokens in one hour, the metric filters defined with the real AWS CLI against
// `bedrock-insights serve`, our alarm definition through the API, evaluation, and the e-mail
// received by a real SMTP server.

const END = '2026-11-01T00:00:00Z';
const GROUP = '/aws/bedrock/modelinvocations';
const HOUR = 3_600_000;
const win = plantedWindows(Date.parse(END), 30)!.hourlyTokenAlarm;
let dir: string;
let dbPath: string;
let smtp: SmtpCatcher;
let server: { proc: ChildProcess; url: string } | undefined;
let expected: { hr: number; hrPrevious: number; next: number };

function startServe(): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', resolve('test/alarms/run-cli.ts'), 'serve', '--db', dbPath, '--port', '0'],
    {
      env: {
        ...process.env,
        BEDROCK_INSIGHTS_ACCESS_KEYS: `${ACCESS_KEY}:${SECRET_KEY}`,
        BEDROCK_INSIGHTS_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        BEDROCK_INSIGHTS_ALARM_INTERVAL: '0', // evaluations are driven by the test, at chosen times
        BEDROCK_INSIGHTS_CONSOLE_URL: 'http://console.example:8080',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((res, rej) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => rej(new Error(`serve did not start: ${out}${err}`)), 60_000);
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /console: (http:\/\/[^/\s]+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        res({ proc, url: m[1] });
      }
    });
    proc.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`serve exited ${code}: ${err}`));
    });
  });
}

async function stopServe(): Promise<void> {
  if (!server) return;
  const p = server.proc;
  server = undefined;
  await new Promise<void>((res) => {
    p.once('exit', () => res());
    p.kill('SIGTERM');
  });
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${server!.url}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const j = (await r.json()) as T;
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

before(async () => {
  assert.ok(existsSync(AWS_CLI), `${AWS_CLI} (AWS CLI v2) is required`);
  dir = mkdtempSync(join(tmpdir(), 'h10-e2e-'));
  dbPath = join(dir, 'store.duckdb');
  await writeDataset({
    out: join(dir, 'demo.jsonl'),
    format: 'jsonl',
    records: 3000,
    days: 30,
    seed: 7,
    end: END,
    bodies: false,
  });
  const store = await Store.open(dbPath);
  await ingestPaths(store, [join(dir, 'demo.jsonl')]);
  // What the alarm must see, computed here with plain SQL over the typed columns.
  const sum = async (app: string, from: number): Promise<number> =>
    Number(
      (
        await store.connection.runAndReadAll(
          `SELECT coalesce(sum(input_tokens + output_tokens), 0) FROM events WHERE request_metadata['application_name'] = $1 AND ts >= $2 AND ts < $3`,
          [app, BigInt(from), BigInt(from + HOUR)],
        )
      ).getRows()[0][0],
    );
  expected = {
    hr: await sum('HRPortalApp', win.startMs),
    hrPrevious: await sum('HRPortalApp', win.startMs - HOUR),
    next: await sum('HRPortalApp', win.endMs),
  };
  const over = await store.connection.runAndReadAll(
    `SELECT request_metadata['application_name'] FROM events WHERE ts >= $1 AND ts < $2 GROUP BY 1 HAVING sum(input_tokens + output_tokens) > 10000`,
    [BigInt(win.startMs), BigInt(win.endMs)],
  );
  assert.deepEqual(
    over.getRows().map((r) => r[0]),
    ['HRPortalApp'],
    'the data set has one application over 10,000 tokens in the planted hour',
  );
  store.close();
  smtp = await startSmtp();
  server = await startServe();
});

after(async () => {
  await stopServe();
  await smtp?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the guide's alarm: put-metric-filter with the AWS CLI, one e-mail on ALARM with the explanation, none on re-evaluation, one on recovery, none after a restart", async () => {
  assert.ok(expected.hr > 10_000 && expected.next <= 10_000, JSON.stringify(expected));
  for (const [name, field] of [
    ['BedrockInputTokens', '$.input.inputTokenCount'],
    ['BedrockOutputTokens', '$.output.outputTokenCount'],
  ] as const) {
    const r = await awsCli(server!.url, [
      'logs',
      'put-metric-filter',
      '--log-group-name',
      GROUP,
      '--filter-name',
      name,
      '--filter-pattern',
      `{ ${field} >= 0 }`,
      '--metric-transformations',
      JSON.stringify([
        {
          metricName: 'BedrockTokenUsageHourly',
          metricNamespace: 'Bedrock/Usage',
          metricValue: field,
          dimensions: { ApplicationName: '$.requestMetadata.application_name' },
        },
      ]),
    ]);
    assert.equal(r.code, 0, r.stderr);
  }
  const described = await awsCli(server!.url, ['logs', 'describe-metric-filters', '--log-group-name', GROUP]);
  assert.deepEqual(
    (JSON.parse(described.stdout) as { metricFilters: { filterName: string }[] }).metricFilters.map(
      (f) => f.filterName,
    ),
    ['BedrockInputTokens', 'BedrockOutputTokens'],
  );

  // Our alarm definition: the guide's threshold, period and recipient; no inline filters, so the metric comes from the CLI's filters.
  await api('POST', '/api/alarms', {
    name: 'GuideHourlyTokens',
    kind: 'metric',
    description: 'One application used more than 10,000 tokens in an hour.',
    metric: {
      namespace: 'Bedrock/Usage',
      name: 'BedrockTokenUsageHourly',
      statistic: 'Sum',
      perDimension: ['ApplicationName'],
    },
    period: 3600,
    evaluationPeriods: 1,
    comparisonOperator: 'GreaterThanThreshold',
    threshold: 10000,
    treatMissingData: 'notBreaching',
    notify: [{ type: 'email', to: ['team@example.com'], from: 'alarms@example.com' }],
  });

  const at = win.endMs + 5 * 60_000; // 5 minutes of delivery delay after the hour
  const first = await api<{
    alarms: { name: string; transitions: { labels: Record<string, string>; to: string }[] }[];
    deliveries: { ok: boolean }[];
  }>('POST', '/api/alarms/evaluate', { at });
  const alarm = first.alarms.find((a) => a.name === 'GuideHourlyTokens')!;
  assert.deepEqual(
    alarm.transitions.filter((t) => t.to === 'ALARM').map((t) => t.labels.ApplicationName),
    ['HRPortalApp'],
  );
  assert.deepEqual(
    first.deliveries.map((d) => d.ok),
    [true],
  );
  assert.equal(smtp.messages.length, 1);
  const mail = smtp.messages[0];
  assert.deepEqual(mail.to, ['team@example.com']);
  const fmt = (n: number): string => n.toLocaleString('en-US');
  assert.equal(mail.subject, `ALARM: GuideHourlyTokens [ApplicationName=HRPortalApp] - ${fmt(expected.hr)} > 10,000`);
  assert.match(
    mail.text,
    new RegExp(
      `Value: ${fmt(expected.hr)} > threshold 10,000 \\(Sum over 1 hour, ${new Date(win.startMs).toISOString().slice(0, 16)}Z to ${new Date(win.endMs).toISOString().slice(0, 16)}Z\\)`,
    ),
  );
  assert.match(
    mail.text,
    new RegExp(`Previous period: ${expected.hrPrevious === 0 ? 'no data' : fmt(expected.hrPrevious)}\\n`),
  );
  assert.match(mail.text, /What drove it \(this period against the previous one\):/);
  assert.match(mail.text, / {2}tokenKind: (input\.inputTokenCount|output\.outputTokenCount) /);
  assert.match(mail.text, / {2}user: u-\d+ [\d,]+ \(was [\d,]+, \+[\d,]+\)/);
  assert.match(mail.text, / {2}model: \S+ [\d,]+ \(was/);
  const link = /Open in the console: (\S+)/.exec(mail.text)?.[1];
  assert.ok(link, mail.text);
  const u = new URL(link);
  assert.equal(`${u.origin}${u.pathname}`, 'http://console.example:8080/query');
  assert.equal(u.searchParams.get('r'), `${win.startMs - HOUR}-${win.endMs - 1}`);
  assert.equal(u.searchParams.get('g'), GROUP);
  assert.match(
    u.searchParams.get('q')!,
    /^filter requestMetadata\.application_name = "HRPortalApp"\n\| stats sum\(input\.inputTokenCount\) as input_inputTokenCount, sum\(output\.outputTokenCount\) as output_outputTokenCount by bin\(1h\)$/,
  );

  // Next evaluation at the same time: no second e-mail.
  const again = await api<{ alarms: { transitions: unknown[] }[]; deliveries: unknown[] }>(
    'POST',
    '/api/alarms/evaluate',
    { at },
  );
  assert.equal(again.alarms[0].transitions.length, 0);
  assert.equal(again.deliveries.length, 0);
  await sleep(300);
  assert.equal(smtp.messages.length, 1);

  // The hour after: HRPortalApp back under the threshold -> exactly one more e-mail.
  const recovered = await api<{ deliveries: { ok: boolean }[] }>('POST', '/api/alarms/evaluate', { at: at + HOUR });
  assert.deepEqual(
    recovered.deliveries.map((d) => d.ok),
    [true],
  );
  assert.equal(smtp.messages.length, 2);
  assert.equal(smtp.messages[1].subject, 'OK: GuideHourlyTokens [ApplicationName=HRPortalApp]');
  assert.match(smtp.messages[1].text, /is OK, was ALARM/);

  // State and the outbox survive a restart: the same evaluation sends nothing.
  await stopServe();
  server = await startServe();
  const afterRestart = await api<{ alarms: { transitions: unknown[] }[]; deliveries: unknown[] }>(
    'POST',
    '/api/alarms/evaluate',
    { at: at + HOUR },
  );
  assert.equal(afterRestart.alarms[0].transitions.length, 0);
  assert.equal(afterRestart.deliveries.length, 0);
  await sleep(300);
  assert.equal(smtp.messages.length, 2);

  const detail = await api<{
    history: { newState: string; labels: Record<string, string> }[];
    notifications: { status: string; target: string }[];
  }>('GET', '/api/alarms/GuideHourlyTokens');
  assert.deepEqual(
    detail.history.filter((h) => h.labels.ApplicationName === 'HRPortalApp').map((h) => h.newState),
    ['OK', 'ALARM'],
  );
  assert.deepEqual(
    detail.notifications.map((n) => `${n.status} ${n.target}`),
    ['sent email:team@example.com', 'sent email:team@example.com'],
  );
});
