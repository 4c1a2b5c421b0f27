import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collect, END, END_MS, HOUR } from './helpers.js';
import type { GeneratedRecord } from '../../src/demo/record.js';

const DAYS = 12;
const records = collect({ records: 8000, days: DAYS, seed: 'shape', end: END });
// Parsed back from text, as any consumer sees them.
const parsed: Record<string, unknown>[] = records.map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>);

const TOP_ORDER = [
  'timestamp',
  'accountId',
  'region',
  'requestId',
  'operation',
  'modelId',
  'input',
  'output',
  'identity',
  'inferenceRegion',
  'errorCode',
  'requestMetadata',
  'schemaType',
  'schemaVersion',
];
const METADATA_KEYS = [
  'application_name',
  'application_id',
  'environment',
  'tenant_id',
  'user_id',
  'team',
  'cost_center',
];

test('exactly the requested number of records, in time order, inside the window, whole seconds', () => {
  assert.equal(records.length, 8000);
  let prev = '';
  for (const r of records) {
    assert.match(r.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(r.timestamp >= prev, `${r.timestamp} after ${prev}`);
    prev = r.timestamp;
    const ms = Date.parse(r.timestamp);
    assert.ok(ms >= END_MS - DAYS * 24 * HOUR && ms < END_MS);
  }
});

test('every record has the real record shape and key order', () => {
  for (const r of parsed) {
    const keys = Object.keys(r);
    assert.equal(keys[0], 'timestamp');
    assert.deepEqual(keys.slice(-2), ['schemaType', 'schemaVersion']);
    // Keys appear in the captured order (optional ones may be absent).
    const positions = keys.map((k) => TOP_ORDER.indexOf(k));
    assert.ok(
      positions.every((p) => p >= 0),
      `unexpected key in ${keys.join(',')}`,
    );
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
    );
    assert.equal(r.schemaType, 'ModelInvocationLog');
    assert.equal(r.schemaVersion, '1.0');
    assert.equal(r.accountId, '111122223333');
    assert.match(r.requestId as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(r.region as string, /^[a-z]{2}-[a-z]+-\d$/);
    assert.ok(
      ['Converse', 'ConverseStream', 'InvokeModel', 'InvokeModelWithResponseStream'].includes(r.operation as string),
    );
    const input = r.input as Record<string, unknown>;
    const output = r.output as Record<string, unknown>;
    assert.equal(input.inputContentType, 'application/json');
    assert.equal(output.outputContentType, 'application/json');
    for (const k of ['inputTokenCount', 'cacheReadInputTokenCount', 'cacheWriteInputTokenCount'])
      assert.ok(Number.isInteger(input[k]) && (input[k] as number) >= 0, k);
    assert.ok(Number.isInteger(output.outputTokenCount));
    const arn = (r.identity as { arn: string }).arn;
    assert.match(arn, /^arn:aws:(sts::111122223333:assumed-role\/[\w-]+\/[\w-]+|iam::111122223333:user\/[\w.-]+)$/);
    if (r.requestMetadata !== undefined) {
      const m = r.requestMetadata as Record<string, unknown>;
      for (const [k, v] of Object.entries(m)) {
        assert.ok(METADATA_KEYS.includes(k), k);
        assert.equal(typeof v, 'string');
        assert.match(v as string, /^[a-zA-Z0-9\s:_@$#=/+,\-.]{0,256}$/); // Bedrock's value pattern
      }
      assert.ok(Object.keys(m).length >= 6);
    }
  }
});

test('successful records carry bodies whose usage agrees with the token counts', () => {
  let checked = 0;
  for (const r of records.filter((x) => x.errorCode === undefined)) {
    const inBody = r.input.inputBodyJson;
    const outBody = r.output.outputBodyJson;
    assert.ok(inBody !== undefined && outBody !== undefined);
    if (r.operation === 'Converse' || r.operation === 'ConverseStream') {
      const o = outBody as { usage: Record<string, number>; stopReason: string; metrics: { latencyMs: number } };
      assert.equal(o.usage.inputTokens, r.input.inputTokenCount);
      assert.equal(o.usage.outputTokens, r.output.outputTokenCount);
      assert.equal(
        o.usage.totalTokens,
        r.input.inputTokenCount +
          r.input.cacheReadInputTokenCount +
          r.input.cacheWriteInputTokenCount +
          r.output.outputTokenCount,
      );
      if (o.usage.cacheReadInputTokens !== undefined)
        assert.equal(o.usage.cacheReadInputTokens, r.input.cacheReadInputTokenCount);
      assert.ok(Number.isInteger(o.metrics.latencyMs));
      checked++;
    } else if (r.operation === 'InvokeModelWithResponseStream') {
      assert.ok(Array.isArray(outBody), 'stream bodies are chunk arrays');
      const last = (outBody as Record<string, unknown>[]).at(-1)!;
      const m = last['amazon-bedrock-invocationMetrics'] as Record<string, number>;
      assert.equal(m.outputTokenCount, r.output.outputTokenCount);
      assert.equal(m.inputTokenCount, r.input.inputTokenCount);
      checked++;
    } else if (r.modelId.includes('anthropic')) {
      const o = outBody as { usage: Record<string, number> };
      assert.equal(o.usage.input_tokens, r.input.inputTokenCount);
      assert.equal(o.usage.output_tokens, r.output.outputTokenCount);
      assert.equal(o.usage.cache_read_input_tokens, r.input.cacheReadInputTokenCount);
      checked++;
    }
  }
  assert.ok(checked > 5000);
});

test('failed invocations have an error code, zero tokens and no bodies', () => {
  const failed = records.filter((r) => r.errorCode !== undefined);
  assert.ok(failed.length > 10 && failed.length < 200, `${failed.length} errors`);
  for (const r of failed) {
    assert.match(r.errorCode!, /^[A-Z]\w+Exception$/);
    assert.equal(r.input.inputTokenCount, 0);
    assert.equal(r.output.outputTokenCount, 0);
    assert.equal(r.input.inputBodyJson, undefined);
    assert.equal(r.output.outputBodyJson, undefined);
  }
});

test('all four operations, every modelId form, inferenceRegion only on profile calls', () => {
  const ops = new Set(records.map((r) => r.operation));
  assert.equal(ops.size, 4);
  const ids = records.map((r) => r.modelId);
  const has = (re: RegExp) => ids.some((id) => re.test(id));
  assert.ok(has(/^(anthropic|amazon|meta|mistral)\./), 'base id');
  for (const p of ['us', 'eu', 'apac', 'global']) assert.ok(has(new RegExp(`^${p}\\.`)), `${p}. profile id`);
  assert.ok(has(/^arn:aws:bedrock:[a-z0-9-]+:111122223333:inference-profile\/(us|global)\./), 'inference-profile ARN');
  assert.ok(
    has(/^arn:aws:bedrock:[a-z0-9-]+:111122223333:application-inference-profile\/[a-z0-9]+$/),
    'application-inference-profile ARN',
  );
  for (const r of records) {
    const profile = /^(us|eu|apac|global)\./.test(r.modelId) || r.modelId.includes('inference-profile/');
    assert.equal(r.inferenceRegion !== undefined, profile, r.modelId);
    // An ARN names the region that was called.
    if (r.modelId.startsWith('arn:')) assert.equal(r.modelId.split(':')[3], r.region);
    if (r.modelId.startsWith('eu.')) assert.match(r.region, /^eu-/);
    if (r.modelId.startsWith('apac.')) assert.match(r.region, /^ap-/);
  }
});

test('caching models have cache reads and writes; others never do', () => {
  const cached = records.filter((r) => r.input.cacheReadInputTokenCount > 0);
  const written = records.filter((r) => r.input.cacheWriteInputTokenCount > 0);
  assert.ok(cached.length > 500 && written.length > 50);
  for (const r of [...cached, ...written]) assert.doesNotMatch(r.modelId, /titan|llama|mistral|claude-3-haiku/);
});

test('applications, environments, tenants, teams and cost centers in requestMetadata', () => {
  const tagged = records.filter((r) => r.requestMetadata);
  const apps = new Map<string, { team: Set<string>; cc: Set<string> }>();
  for (const r of tagged) {
    const m = r.requestMetadata!;
    const a = apps.get(m.application_name) ?? { team: new Set(), cc: new Set() };
    a.team.add(m.team);
    a.cc.add(m.cost_center);
    apps.set(m.application_name, a);
  }
  for (const name of ['CustomerServiceApp', 'SalesAssistantApp', 'DeveloperToolsApp']) assert.ok(apps.has(name), name);
  assert.ok(apps.size >= 5);
  // One team and one cost center per application.
  for (const [name, a] of apps) {
    assert.equal(a.team.size, 1, name);
    assert.equal(a.cc.size, 1, name);
  }
  const envs = new Set(tagged.map((r) => r.requestMetadata!.environment));
  for (const e of ['production', 'staging', 'development']) assert.ok(envs.has(e));
  const csTenants = new Set(
    tagged
      .filter((r) => r.requestMetadata!.application_name === 'CustomerServiceApp')
      .map((r) => r.requestMetadata!.tenant_id),
  );
  assert.ok(csTenants.size >= 5);
  for (const t of csTenants) assert.match(t, /^tenant-/);
  // Several roles and IAM users.
  const roles = new Set(records.map((r) => r.identity.arn.split('/')[1]).filter((x) => x));
  assert.ok(roles.size >= 6);
  assert.ok(records.some((r) => r.identity.arn.includes(':user/')));
});

test('weekly and daily rhythm: business hours busier than nights, weekdays than weekends', () => {
  const byHour = new Array<number>(24).fill(0);
  let weekday = 0,
    weekend = 0;
  for (const r of records) {
    const d = new Date(Date.parse(r.timestamp));
    byHour[d.getUTCHours()]++;
    if (d.getUTCDay() === 0 || d.getUTCDay() === 6) weekend++;
    else weekday++;
  }
  // US business hours (UTC 15-20) against the US night (UTC 6-10).
  const day = byHour.slice(15, 21).reduce((s, n) => s + n, 0) / 6;
  const night = byHour.slice(6, 11).reduce((s, n) => s + n, 0) / 5;
  assert.ok(day > 2 * night, `day ${day} night ${night}`);
  // 12 days from Sunday 2026-11-08 to Thursday 2026-11-19 (UTC): 3 weekend days, 9 weekdays.
  assert.ok(weekday / 9 > 1.8 * (weekend / 3), `weekday ${weekday} weekend ${weekend}`);
});

test('fake bodies are small', () => {
  const sizes = records.filter((r: GeneratedRecord) => !r.errorCode).map((r) => JSON.stringify(r).length);
  const avg = sizes.reduce((s, n) => s + n, 0) / sizes.length;
  assert.ok(avg < 3000, `average ${avg} bytes`);
  const noBodies = collect({ records: 200, days: 1, seed: 'shape', end: END, bodies: false });
  assert.ok(noBodies.every((r) => r.input.inputBodyJson === undefined && r.output.outputBodyJson === undefined));
});
