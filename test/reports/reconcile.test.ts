import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDuckDbEngine } from '../../src/engines/duckdb.js';
import { readBill } from '../../src/reports/bill.js';
import { buildChargeback } from '../../src/reports/chargeback.js';
import { parseMonth } from '../../src/reports/period.js';
import { allocateBill, billModelPart, modelKey, reconcile, type Reconciliation } from '../../src/reports/reconcile.js';
import { renderReconciliation } from '../../src/reports/recon-render.js';
import { insertInvocations, memoryStore, OCT, tempDir } from './helpers.js';

const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const SONNET = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const MISTRAL = 'mistral.mistral-large-2407-v1:0';
const NOVA_LITE = 'us.amazon.nova-lite-v1:0';

/**
 * Logged (computed): Oct 3 haiku $1.00 (A), Oct 4 sonnet $2.00 (B), Oct 4 mistral $0.20 (B),
 * Oct 3 nova-lite unpriced (A).
 * Billed: Oct 3 haiku $0.40 + $0.60 (matches), Oct 4 sonnet $2.50 (the known gap: +$0.50),
 * Oct 5 Nova Pro $0.30 (no logs), Oct 3 Nova Lite $0.15 (unpriced in the logs), a credit of -$1.00,
 * plus an EC2 line and a September line that must be ignored.
 */
async function setup() {
  const store = await memoryStore();
  await insertInvocations(store, [
    { ts: OCT(3, 9), model: HAIKU, meta: { cost_center: 'A' }, cost: 0.25 },
    { ts: OCT(3, 15), model: HAIKU, meta: { cost_center: 'A' }, cost: 0.75 },
    { ts: OCT(4, 10), model: SONNET, meta: { cost_center: 'B' }, cost: 2.0 },
    { ts: OCT(4, 11), model: MISTRAL, meta: { cost_center: 'B' }, cost: 0.2 },
    { ts: OCT(3, 12), model: NOVA_LITE, meta: { cost_center: 'A' }, cost: null },
  ]);
  return { store, engine: createDuckDbEngine(store) };
}

const CUR_HEADER =
  'line_item_usage_start_date,line_item_usage_end_date,line_item_line_item_type,line_item_product_code,product_product_name,line_item_usage_type,line_item_usage_amount,line_item_unblended_cost';
const CUR_ROWS = [
  '2026-10-03T00:00:00Z,2026-10-04T00:00:00Z,Usage,AmazonBedrock,Amazon Bedrock,USE1-ClaudeHaiku4.5-input-tokens,1000,0.40',
  '2026-10-03T00:00:00Z,2026-10-04T00:00:00Z,Usage,AmazonBedrock,Amazon Bedrock,USE1-ClaudeHaiku4.5-output-tokens,100,0.60',
  '2026-10-04T00:00:00Z,2026-10-05T00:00:00Z,Usage,AmazonBedrock,Amazon Bedrock,USE1-ClaudeSonnet4.5-input-tokens,5000,2.50',
  '2026-10-05T00:00:00Z,2026-10-06T00:00:00Z,Usage,AmazonBedrock,Amazon Bedrock,USW2-NovaPro-input-tokens,1000,0.30',
  '2026-10-03T00:00:00Z,2026-10-04T00:00:00Z,Usage,AmazonBedrock,Amazon Bedrock,USE1-NovaLite-cache-read-input-token-count,1000,0.15',
  '2026-10-31T00:00:00Z,2026-11-01T00:00:00Z,Credit,AmazonBedrock,Amazon Bedrock,USE1-ClaudeSonnet4.5-input-tokens,0,-1.00',
  '2026-10-04T00:00:00Z,2026-10-05T00:00:00Z,Usage,AmazonEC2,Amazon Elastic Compute Cloud,USE1-BoxUsage:t3.micro,24,0.25',
  '2026-09-30T00:00:00Z,2026-10-01T00:00:00Z,Usage,AmazonBedrock,Amazon Bedrock,USE1-ClaudeHaiku4.5-input-tokens,1000,9.99',
];

const near = (a: number, b: number, msg: string): void => assert.ok(Math.abs(a - b) < 1e-9, `${msg}: ${a} vs ${b}`);

function checkKnownGap(r: Reconciliation): void {
  near(r.totals.billedUsage, 0.4 + 0.6 + 2.5 + 0.3 + 0.15, 'billed usage');
  near(r.totals.adjustments, -1, 'credits');
  near(r.totals.billed, 2.95, 'billed');
  near(r.totals.computed, 3.2, 'computed');
  near(r.totals.variance, -0.25, 'variance');
  near(r.totals.explained.billedOnly, 0.3, 'billed only (Nova Pro, no logs)');
  near(r.totals.explained.loggedOnly, -0.2, 'logged only (mistral, not billed)');
  near(r.totals.explained.unpriced, 0.15, 'unpriced (Nova Lite)');
  near(r.totals.unexplained, 0.5, 'the known gap');
  const sonnet = r.lines.find((l) => l.day === '2026-10-04' && l.model.includes('sonnet'))!;
  assert.equal(sonnet.status, 'matched');
  near(sonnet.variance, 0.5, 'sonnet Oct 4');
  const haiku = r.lines.find((l) => l.day === '2026-10-03' && l.model.includes('haiku'))!;
  near(haiku.variance, 0, 'haiku Oct 3 matches');
  assert.deepEqual(haiku.billLabels.sort(), ['USE1-ClaudeHaiku4.5-input-tokens', 'USE1-ClaudeHaiku4.5-output-tokens']);
  assert.deepEqual(r.unmappedLabels, ['USW2-NovaPro-input-tokens']);
}

test('CUR 2.0 CSV: variance split into credits, billed-only, logged-only, unpriced and the known unexplained gap', async () => {
  const { store, engine } = await setup();
  try {
    const dir = tempDir();
    const file = join(dir, 'cur.csv');
    writeFileSync(file, [CUR_HEADER, ...CUR_ROWS].join('\n'));
    const bill = await readBill(store, file);
    assert.equal(bill.format, 'cur2');
    assert.equal(bill.skippedOtherServices, 1);
    const r = await reconcile(engine, bill, { period: parseMonth('2026-10') });
    checkKnownGap(r);
    const text = renderReconciliation(r, 'table');
    assert.match(text, /UNEXPLAINED remainder: +\$0\.50 {2}/);
  } finally {
    await engine.close();
    store.close();
  }
});

test('CUR 2.0 Parquet gives the same reconciliation', async () => {
  const { store, engine } = await setup();
  try {
    const dir = tempDir();
    const csv = join(dir, 'cur.csv');
    writeFileSync(csv, [CUR_HEADER, ...CUR_ROWS].join('\n'));
    const parquet = join(dir, 'cur.parquet');
    // Typed columns as CUR 2.0 Parquet has them: a timestamp and a double cost.
    await store.connection
      .run(`COPY (SELECT CAST(line_item_usage_start_date AS TIMESTAMP) AS line_item_usage_start_date, line_item_line_item_type, line_item_product_code, product_product_name, line_item_usage_type,
      CAST(line_item_unblended_cost AS DOUBLE) AS line_item_unblended_cost FROM read_csv('${csv}', header = true, all_varchar = true)) TO '${parquet}' (FORMAT parquet)`);
    const bill = await readBill(store, parquet);
    assert.equal(bill.format, 'cur2');
    checkKnownGap(await reconcile(engine, bill, { period: parseMonth('2026-10') }));
  } finally {
    await engine.close();
    store.close();
  }
});

test('Cost Explorer CSV export (daily, grouped by usage type) gives the same figures; --allocate sums exactly to the bill', async () => {
  const { store, engine } = await setup();
  try {
    const dir = tempDir();
    const file = join(dir, 'ce.csv');
    writeFileSync(
      file,
      [
        '"Usage type","USE1-ClaudeHaiku4.5-input-tokens($)","USE1-ClaudeHaiku4.5-output-tokens($)","USE1-ClaudeSonnet4.5-input-tokens($)","USW2-NovaPro-input-tokens($)","USE1-NovaLite-cache-read-input-token-count($)","Credit($)","Total costs($)"',
        '"Usage type total","0.4","0.6","2.5","0.3","0.15","-1","2.95"',
        '"2026-10-03","0.4","0.6","","","0.15","",""',
        '"2026-10-04","","","2.5","","","",""',
        '"2026-10-05","","","","0.3","","",""',
        '"2026-10-31","","","","","","-1",""',
      ].join('\n'),
    );
    const bill = await readBill(store, file);
    assert.equal(bill.format, 'cost-explorer');
    const r = await reconcile(engine, bill, { period: parseMonth('2026-10') });
    checkKnownGap(r);
    const statement = await buildChargeback(engine, { by: 'cost_center', period: parseMonth('2026-10') });
    const a = allocateBill(r, statement);
    assert.equal(a.billedCents, 295);
    assert.equal(
      a.owners.reduce((s, o) => s + o.allocatedCents, 0),
      295,
    );
    // A computed $1.00 of $3.20, B $2.20: 92.19 and 202.81 cents -> 92 and 203.
    assert.deepEqual(Object.fromEntries(a.owners.map((o) => [o.owner, o.allocatedCents])), { A: 92, B: 203 });
    const csv = renderReconciliation(r, 'csv', a);
    assert.match(csv, /\nTOTAL,,,2\.95\n/);
  } finally {
    await engine.close();
    store.close();
  }
});

test('bill label mapping: usage types, product names and model ids reduce to the same key', () => {
  assert.equal(billModelPart('USE1-ClaudeSonnet4.5-input-tokens'), 'ClaudeSonnet4.5');
  assert.equal(billModelPart('EUC1-NovaPro-cache-write-input-token-count'), 'NovaPro');
  assert.equal(billModelPart('Claude 3.5 Sonnet (Amazon Bedrock Edition)'), 'Claude 3.5 Sonnet');
  assert.equal(modelKey('ClaudeSonnet4.5'), modelKey('anthropic.claude-sonnet-4-5-20250929-v1:0'));
  assert.equal(modelKey('Claude 3.5 Sonnet'), modelKey('anthropic.claude-3-5-sonnet-20240620-v1:0'));
  assert.equal(modelKey('NovaPro'), modelKey('amazon.nova-pro-v1:0'));
  assert.notEqual(modelKey('NovaPro'), modelKey('amazon.nova-lite-v1:0'));
});
