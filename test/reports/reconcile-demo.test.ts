import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDuckDbEngine } from '../../src/engines/duckdb.js';
import { readBill } from '../../src/reports/bill.js';
import { parseMonth } from '../../src/reports/period.js';
import { reconcile } from '../../src/reports/reconcile.js';
import { demoStore } from './demo-fixture.js';

/**
 * A CUR 2.0 bill built from the demo month's own invocations (SQL over events), named the way
 * CUR names usage types (`USE1-ClaudeSonnet4.5-input-tokens`), for every model-id form the demo
 * uses (base ids, us./eu./global./apac. profiles, inference-profile ARNs), with one known gap.
 */
function usageTypeModel(modelId: string): string {
  const id = modelId
    .replace(/^arn:aws:bedrock:[^:]*:[^:]*:inference-profile\//, '')
    .replace(/^(us|eu|apac|global|jp|au)\./, '');
  const base = id
    .replace(/^[a-z0-9]+\./, '')
    .replace(/-\d{8}/, '')
    .replace(/-v\d+(:\d+)?$/, '');
  // claude-sonnet-4-5 -> ClaudeSonnet4.5 ; nova-pro -> NovaPro ; mistral-large-2407 -> MistralLarge2407
  return base
    .split('-')
    .map((w, i, all) =>
      /^\d$/.test(w) && i > 0 && /^\d$/.test(all[i - 1]) ? `.${w}` : w.charAt(0).toUpperCase() + w.slice(1),
    )
    .join('');
}

test('a CUR bill of the demo month reconciles per day and model; the one planted gap is the unexplained remainder', async () => {
  const { store } = await demoStore(8_000);
  const engine = createDuckDbEngine(store);
  try {
    const oct = parseMonth('2026-10');
    const cells = (
      await store.connection
        .runAndReadAll(`SELECT strftime(to_timestamp(ts / 1000), '%Y-%m-%d') AS day, model_id, sum(cost_input + cost_cache_read + cost_cache_write) AS cin, sum(cost_output) AS cout
      FROM events WHERE kind = 'bedrock' AND cost_total IS NOT NULL AND model_id NOT LIKE '%application-inference-profile%' AND ts >= ${oct.start} AND ts < ${oct.end}
      GROUP BY 1, 2 HAVING sum(cost_total) > 0 ORDER BY 1, 2`)
    ).getRows() as [string, string, number, number][];
    assert.ok(cells.length > 100);
    const lines = [
      'line_item_usage_start_date,line_item_line_item_type,line_item_product_code,line_item_usage_type,line_item_unblended_cost',
    ];
    const gapCell = cells[Math.floor(cells.length / 2)];
    for (const [day, model, cin, cout] of cells) {
      const name = usageTypeModel(model);
      lines.push(`${day}T00:00:00Z,Usage,AmazonBedrock,USE1-${name}-input-tokens,${cin}`);
      lines.push(
        `${day}T00:00:00Z,Usage,AmazonBedrock,USE1-${name}-output-tokens,${cout + (day === gapCell[0] && model === gapCell[1] ? 1.23 : 0)}`,
      );
    }
    lines.push('2026-10-31T00:00:00Z,Tax,AmazonBedrock,,4.56');
    const file = join(store.path, '..', 'cur-demo.csv');
    writeFileSync(file, lines.join('\n'));
    const r = await reconcile(engine, await readBill(store, file), { period: oct });
    assert.deepEqual(r.unmappedLabels, []);
    assert.ok(Math.abs(r.totals.unexplained - 1.23) < 1e-6, `unexplained ${r.totals.unexplained}`);
    assert.ok(Math.abs(r.totals.explained.adjustments - 4.56) < 1e-9);
    assert.equal(r.totals.explained.billedOnly, 0);
    const gap = r.lines.filter((l) => l.status === 'matched' && Math.abs(l.variance) > 1e-6);
    assert.equal(gap.length, 1, JSON.stringify(gap));
    assert.equal(gap[0].day, gapCell[0]);
    assert.ok(Math.abs(gap[0].variance - 1.23) < 1e-6);
  } finally {
    await engine.close();
    store.close();
  }
});
