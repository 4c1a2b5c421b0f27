import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../src/store/store.js';
import { insertInvocations, OCT, runCli, tempDir } from './helpers.js';

/** The real program on this test's store (helpers.ts runCli). */
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return runCli(dir, args);
}

let dir: string;
let db: string;
before(async () => {
  dir = tempDir('h9-cli-');
  db = join(dir, 'store.duckdb');
  const store = await Store.open(db);
  await insertInvocations(store, [
    {
      ts: OCT(3),
      model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      meta: { cost_center: 'A', tenant_id: 't1' },
      cost: 1.0,
    },
    {
      ts: OCT(4),
      model: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
      meta: { cost_center: 'B', tenant_id: 't2' },
      cost: 2.0,
    },
    { ts: OCT(4), model: 'mistral.mistral-large-2407-v1:0', cost: 0.2 },
    { ts: OCT(5), model: 'acme.unknown-model-v1', meta: { cost_center: 'A' }, cost: null },
  ]);
  store.close();
});

test('chargeback --format csv: lines add up to the month; bad flags are refused with exit 2', async () => {
  const r = await run([
    'chargeback',
    '--db',
    db,
    '--by',
    'cost_center',
    '--month',
    '2026-10',
    '--untagged',
    'owner:A',
    '--format',
    'csv',
  ]);
  assert.equal(r.code, 0, r.err);
  const rows = r.out
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  assert.equal(rows.find((x) => x[2] === 'TOTAL')![13], '3.20');
  assert.equal(
    rows.filter((x) => x[2] !== 'TOTAL').reduce((a, x) => a + Math.round(Number(x[13]) * 100), 0),
    320,
  );
  assert.ok(rows.some((x) => x[2] === 'A' && x[4] === 'untagged-default-owner' && x[13] === '0.20'));
  const bad = await run(['chargeback', '--db', db, '--by', 'cost_center', '--month', '2026-13']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /not a period/);
});

test('report writes a self-contained HTML (and a PDF with --pdf)', async () => {
  const out = join(dir, 'oct.html');
  const r = await run(['report', '--db', db, '--period', '2026-10', '--out', out, '--pdf']);
  assert.equal(r.code, 0, r.err);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /\$3\.20/);
  assert.match(html, /acme\.unknown-model-v1/);
  assert.ok(existsSync(join(dir, 'oct.pdf')));
  assert.equal(readFileSync(join(dir, 'oct.pdf')).subarray(0, 5).toString(), '%PDF-');
});

test('reconcile --allocate: the billed amount goes to owners exactly', async () => {
  const bill = join(dir, 'cur.csv');
  writeFileSync(
    bill,
    [
      'line_item_usage_start_date,line_item_line_item_type,line_item_product_code,line_item_usage_type,line_item_unblended_cost',
      '2026-10-03T00:00:00Z,Usage,AmazonBedrock,USE1-ClaudeHaiku4.5-input-tokens,1.00',
      '2026-10-04T00:00:00Z,Usage,AmazonBedrock,USE1-ClaudeSonnet4.5-output-tokens,2.10',
      '2026-10-04T00:00:00Z,Usage,AmazonBedrock,USE1-MistralLarge-input-tokens,0.20',
    ].join('\n'),
  );
  const r = await run([
    'reconcile',
    '--db',
    db,
    '--bill',
    bill,
    '--allocate',
    '--by',
    'cost_center',
    '--untagged',
    'proportional',
  ]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Reconciliation 2026-10/);
  assert.match(r.out, /UNEXPLAINED remainder: +\$0\.10 {2}/);
  assert.match(r.out, /Billed amount \$3\.30 allocated by cost_center/);
  // Computed A $1.00 + 1/3 of the untagged $0.20, B $2.00 + 2/3 -> statement 107 and 213 cents -> 110.3 and 219.7 -> 110 and 220.
  assert.match(r.out, /\nA +\$1\.07 +33\.44% +\$1\.10\n/);
  assert.match(r.out, /\nB +\$2\.13 +66\.56% +\$2\.20\n/);
});
