import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateRecords, writeDataset } from '../../src/demo/generator.js';
import { PLANTED } from '../../src/demo/planted.js';
import { DEMO_APPLICATION_PROFILE_ARN } from '../../src/demo/world.js';
import { dataFindings, runDoctor, renderText, type Finding } from '../../src/doctor/index.js';
import { ingestPaths } from '../../src/sources/ingest.js';
import { Store } from '../../src/store/store.js';

const GEN = { preset: 'demo' as const, records: 3000, days: 12, seed: 5, end: '2026-11-01T00:00:00Z', bodies: false };

async function demoStore(): Promise<{ store: Store; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'h11-doctor-'));
  await writeDataset({ ...GEN, out: join(dir, 'demo.jsonl'), format: 'jsonl' });
  const store = await Store.open(join(dir, 's.duckdb'));
  await ingestPaths(store, [join(dir, 'demo.jsonl')]);
  return { store, dir };
}

const byCheck = (fs: Finding[], check: string): Finding[] => fs.filter((f) => f.check === check);

test('doctor data findings on the demo data find what was planted, and nothing false', async () => {
  // Expected figures from the generator's own records, not from the doctor.
  let invokeCalls = 0;
  let invokeUntagged = 0;
  let pipelineUntagged = 0;
  let producton = 0;
  let profileCalls = 0;
  const hrTenant = { calls: 0, withTenant: 0 };
  for (const r of generateRecords(GEN)) {
    const untagged = !r.requestMetadata || Object.keys(r.requestMetadata).length === 0;
    if (r.operation === 'InvokeModel' || r.operation === 'InvokeModelWithResponseStream') {
      invokeCalls++;
      if (untagged) invokeUntagged++;
      if (untagged && r.identity.arn.startsWith(PLANTED.untaggedInvokeModel.roleArnPrefix)) pipelineUntagged++;
    }
    if (r.requestMetadata?.environment === 'producton') producton++;
    // Failed calls cost 0 whatever the model: the unpriced ones are the others.
    if (r.modelId === DEMO_APPLICATION_PROFILE_ARN && !r.errorCode) profileCalls++;
    if (r.requestMetadata?.application_name === 'HRPortalApp') {
      hrTenant.calls++;
      if (r.requestMetadata.tenant_id !== undefined) hrTenant.withTenant++;
    }
  }
  assert.ok(
    pipelineUntagged > 0 && producton > 0 && profileCalls > 0 && hrTenant.calls > 0,
    'the data set has the planted cases',
  );

  const { store, dir } = await demoStore();
  try {
    const fs = await dataFindings(store);
    const inv = byCheck(fs, 'metadata.untagged.invokeModel');
    assert.equal(inv.length, 1);
    assert.equal(inv[0].severity, 'warning');
    assert.equal(inv[0].data?.untagged, invokeUntagged);
    assert.equal(inv[0].data?.calls, invokeCalls);
    const pipeline = (inv[0].data?.byPrincipal as { principal: string; untagged: number; calls: number }[]).find(
      (p) => p.principal === 'role/DataPipelineBedrockRole',
    );
    assert.deepEqual(pipeline && { u: pipeline.untagged, c: pipeline.calls }, {
      u: pipelineUntagged,
      c: pipelineUntagged,
    });
    assert.match(inv[0].nextStep, /X-Amzn-Bedrock-Request-Metadata/);
    // Converse calls always carry metadata in the demo.
    assert.equal(byCheck(fs, 'metadata.untagged.converse').length, 0);

    const miss = byCheck(fs, 'metadata.misspelling');
    assert.deepEqual(
      miss.map((f) => [f.data?.key, f.data?.value, f.data?.intended, f.data?.count]),
      [['environment', 'producton', 'production', producton]],
    );

    const prof = byCheck(fs, 'pricing.unmappedApplicationProfile');
    assert.deepEqual(
      prof.map((f) => [f.data?.modelId, f.data?.requests]),
      [[DEMO_APPLICATION_PROFILE_ARN, profileCalls]],
    );
    assert.match(prof[0].nextStep, /applicationProfiles/);
    assert.equal(byCheck(fs, 'pricing.unpricedModel').length, 0, 'every other demo model has a price');

    const cov = byCheck(fs, 'metadata.coverage');
    assert.deepEqual(
      cov.map((f) => f.data?.application),
      ['HRPortalApp'],
    );
    assert.equal((cov[0].data?.coverage as Record<string, number>).tenant_id, hrTenant.withTenant / hrTenant.calls);
    assert.equal(byCheck(fs, 'metadata.cardinality').length, 0, 'user_id is per-user, not per-call');

    const report = await runDoctor(store, { aws: false });
    assert.equal(report.aws.ran, false);
    const text = renderText(report);
    assert.match(text, /producton/);
    assert.ok(!text.includes('inputBodyJson'));
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('doctor: a key with a value per call, untagged Converse calls, an unknown model, an empty store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'h11-doctor2-'));
  const store = await Store.open(':memory:');
  try {
    assert.deepEqual(
      (await dataFindings(store)).map((f) => [f.check, f.severity]),
      [['data.empty', 'error']],
    );
    const lines: string[] = [];
    for (let i = 0; i < 150; i++) {
      lines.push(
        JSON.stringify({
          timestamp: `2026-11-01T10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`,
          accountId: '1',
          region: 'us-east-1',
          requestId: `q${i}`,
          operation: i < 120 ? 'Converse' : 'ConverseStream',
          modelId: i % 2 ? 'amazon.nova-micro-v1:0' : 'acme.unknown-model-v9',
          input: { inputTokenCount: 5 },
          output: { outputTokenCount: 1 },
          identity: { arn: 'arn:aws:sts::1:assumed-role/WebRole/s1' },
          ...(i < 140 ? { requestMetadata: { app: 'web', trace: `t-${i}` } } : {}),
          schemaType: 'ModelInvocationLog',
          schemaVersion: '1.0',
        }),
      );
    }
    writeFileSync(join(dir, 'x.jsonl'), lines.join('\n'));
    await ingestPaths(store, [join(dir, 'x.jsonl')]);
    const fs = await dataFindings(store);
    const card = byCheck(fs, 'metadata.cardinality');
    assert.deepEqual(
      card.map((f) => [f.data?.key, f.data?.distinct]),
      [['trace', 140]],
    );
    const conv = byCheck(fs, 'metadata.untagged.converse');
    assert.equal(conv.length, 1);
    assert.equal(conv[0].data?.untagged, 10);
    assert.equal(conv[0].severity, 'warning');
    assert.match(conv[0].nextStep, /requestMetadata/);
    assert.match(conv[0].detail, /role\/WebRole 10 of 150/);
    const unpriced = byCheck(fs, 'pricing.unpricedModel');
    assert.deepEqual(
      unpriced.map((f) => [f.data?.modelId, f.data?.requests]),
      [['acme.unknown-model-v9', 75]],
    );
    assert.ok(unpriced[0].nextStep.length > 0);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('doctor reports what prices check reports, cache classes without a price included, and a stale book', async () => {
  const { insertRows } = await import('../pricing/helpers.js');
  const { priceEvents, shippedBook, unpricedModels } = await import('../../src/pricing/index.js');
  const store = await Store.open(':memory:', { threads: 1 });
  try {
    await insertRows(store, [
      { modelId: 'acme.unknown-model-v9', region: 'us-east-1', input: 100, output: 10 },
      // Nova 2 Lite: priced for input, output and cache reads; its cache writes have no price.
      { modelId: 'amazon.nova-2-lite-v1:0', region: 'us-east-1', input: 100, cacheWrite: 4000, output: 10 },
      { modelId: 'amazon.nova-pro-v1:0', region: 'us-east-1', input: 100, cacheRead: 900, output: 10 },
    ]);
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const fresh = { ...shippedBook(), retrieved: day(Date.now() - 10 * 86_400_000) };
    await priceEvents(store, { book: fresh });
    const fs = await dataFindings(store, { book: fresh });
    const gaps = await unpricedModels(store, fresh);
    const doctorModels = fs
      .filter((f) => f.check.startsWith('pricing.') && f.data?.modelId !== undefined)
      .map((f) => [f.data?.modelId, f.data?.tokens]);
    assert.deepEqual(
      doctorModels.sort(),
      gaps.map((g) => [g.modelId, g.tokens]).sort(),
      'doctor and prices check agree',
    );
    const cache = byCheck(fs, 'pricing.unpricedCacheClass');
    assert.equal(cache.length, 1);
    assert.match(cache[0].title, /No cache writes price for amazon\.nova-2-lite-v1:0/);
    assert.match(
      cache[0].detail,
      /priced for their input and output, but their cache writes \(4,000 tokens\) have no price/,
    );
    assert.equal(byCheck(fs, 'pricing.staleBook').length, 0, 'a 10-day-old book is fine');
    const stale = { ...fresh, retrieved: day(Date.now() - 120 * 86_400_000) };
    const old = byCheck(await dataFindings(store, { book: stale }), 'pricing.staleBook');
    assert.equal(old.length, 1);
    assert.match(old[0].title, /The price book is 120 days old/);
    assert.match(old[0].nextStep, /prices update --from/);
  } finally {
    store.close();
  }
});
