import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDuckDbEngine } from '../../src/engines/duckdb.js';
import { buildChargeback, parseUntaggedRule, type Statement } from '../../src/reports/chargeback.js';
import { parseMonth } from '../../src/reports/period.js';
import { renderStatement } from '../../src/reports/statement-render.js';
import { insertInvocations, memoryStore, OCT } from './helpers.js';

const month = parseMonth('2026-10');

function sumOwners(s: Statement): number {
  return s.owners.reduce((a, o) => a + o.totalCents, 0);
}
function owner(s: Statement, name: string) {
  const o = s.owners.find((x) => x.owner === name);
  assert.ok(o, `owner ${name} in ${s.owners.map((x) => x.owner).join(', ')}`);
  return o;
}

/** Three cost centers at exactly 1/3 of $0.10 each, plus $0.05 untagged, plus an unpriced call and one outside the month. */
async function awkward() {
  const store = await memoryStore();
  const third = 0.1 / 3;
  await insertInvocations(store, [
    {
      ts: OCT(2),
      model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      meta: { cost_center: 'A' },
      cost: third,
      input: 1000,
      output: 10,
    },
    {
      ts: OCT(3),
      model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      meta: { cost_center: 'B' },
      cost: third,
      input: 1000,
      output: 20,
    },
    {
      ts: OCT(4),
      model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      meta: { cost_center: 'C' },
      cost: third,
      input: 1000,
      output: 30,
    },
    { ts: OCT(5), model: 'mistral.mistral-large-2407-v1:0', meta: { team: 'x' }, cost: 0.05, input: 7, output: 3 },
    { ts: OCT(6), model: 'acme.unknown-model-v1', meta: { cost_center: 'A' }, cost: null, input: 500, output: 250 },
    {
      ts: Date.UTC(2026, 10, 1, 0, 0, 0),
      model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      meta: { cost_center: 'A' },
      cost: 9,
    }, // November
    {
      ts: Date.UTC(2026, 8, 30, 23, 59, 59),
      model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      meta: { cost_center: 'B' },
      cost: 9,
    }, // September
  ]);
  return { store, engine: createDuckDbEngine(store) };
}

test('rule own: 1/3 of $0.10 each -> 4+3+3 cents, untagged $0.05 on its own line, total exactly $0.15', async () => {
  const { store, engine } = await awkward();
  try {
    const s = await buildChargeback(engine, { by: 'cost_center', period: month, untagged: { kind: 'own' } });
    assert.equal(s.field, 'requestMetadata.cost_center');
    assert.equal(s.totalCents, 15);
    assert.equal(sumOwners(s), 15);
    assert.deepEqual(s.owners.map((o) => o.owner).sort(), ['(untagged)', 'A', 'B', 'C']);
    assert.deepEqual(['A', 'B', 'C'].map((n) => owner(s, n).totalCents).sort(), [3, 3, 4]);
    assert.equal(owner(s, '(untagged)').totalCents, 5);
    assert.equal(s.untagged.cents, 5);
    assert.ok(Math.abs(s.untagged.share - 0.05 / 0.15) < 1e-9);
    // The month only: the September and November calls are not in it.
    assert.equal(s.usage.requests, 5);
    // Every owner's model lines add up to the owner.
    for (const o of s.owners) assert.equal(o.models.reduce((a, m) => a + m.cents, 0) + o.untaggedCents, o.totalCents);
    // Unpriced: A's unknown model is in its usage with its tokens, and in the coverage bucket, never as $0 cost.
    const a = owner(s, 'A');
    assert.equal(a.unpricedRequests, 1);
    assert.equal(a.unpricedTokens, 750);
    assert.equal(s.coverage.unpricedTokens, 750);
    const tokens = 3000 + 60 + 10 + 750;
    assert.ok(Math.abs((s.coverage.share as number) - (tokens - 750) / tokens) < 1e-12);
    assert.deepEqual(s.coverage.unpriced, [{ model: 'acme.unknown-model-v1', requests: 1, tokens: 750 }]);
    const text = renderStatement(s, 'table');
    assert.match(text, /Untagged spend: \$0\.05 \(33\.3% of cost/);
    assert.match(text, /unknown-model +1 +500 +250 +0 +0 +unpriced/);
    assert.match(text, /TOTAL .* \$0\.15/);
  } finally {
    await engine.close();
    store.close();
  }
});

test('rule proportional: the untagged 5 cents are split 2/2/1 over A, B, C, total still exactly 15', async () => {
  const { store, engine } = await awkward();
  try {
    const s = await buildChargeback(engine, {
      by: 'cost_center',
      period: month,
      untagged: parseUntaggedRule('proportional'),
    });
    assert.equal(
      s.owners.some((o) => o.kind === 'untagged'),
      false,
    );
    assert.equal(sumOwners(s), 15);
    assert.deepEqual(s.owners.map((o) => o.untaggedCents).sort(), [1, 2, 2]);
    assert.equal(s.untagged.cents, 5); // the untagged share is still reported
    for (const o of s.owners) assert.equal(o.totalCents, o.directCents + o.untaggedCents);
    const csv = renderStatement(s, 'csv');
    const rows = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const total = rows.find((r) => r[2] === 'TOTAL')!;
    assert.equal(total[13], '0.15');
    const lineSum = rows.filter((r) => r[2] !== 'TOTAL').reduce((a, r) => a + Math.round(Number(r[13]) * 100), 0);
    assert.equal(lineSum, 15);
    assert.equal(rows.filter((r) => r[4] === 'untagged-share').length, 3);
  } finally {
    await engine.close();
    store.close();
  }
});

test('rule owner:NAME: untagged spend goes to an existing owner, or to a new default-owner line', async () => {
  const { store, engine } = await awkward();
  try {
    const toB = await buildChargeback(engine, {
      by: 'cost_center',
      period: month,
      untagged: parseUntaggedRule('owner:B'),
    });
    assert.equal(sumOwners(toB), 15);
    assert.equal(owner(toB, 'B').untaggedCents, 5);
    assert.equal(owner(toB, 'B').totalCents, owner(toB, 'B').directCents + 5);
    assert.equal(toB.owners.length, 3);
    const toNew = await buildChargeback(engine, {
      by: 'cost_center',
      period: month,
      untagged: parseUntaggedRule('owner:platform'),
    });
    assert.equal(sumOwners(toNew), 15);
    const p = owner(toNew, 'platform');
    assert.equal(p.kind, 'default');
    assert.equal(p.totalCents, 5);
    assert.match(renderStatement(toNew, 'html'), /platform \(default owner; no tagged spend\)/);
  } finally {
    await engine.close();
    store.close();
  }
});

test('owner keys: identity.arn is a field, any other key is request metadata; bad rules are refused', async () => {
  const { store, engine } = await awkward();
  try {
    const s = await buildChargeback(engine, { by: 'identity.arn', period: month });
    assert.equal(s.field, 'identity.arn');
    assert.deepEqual(
      s.owners.map((o) => o.owner),
      ['arn:aws:iam::111122223333:role/App'],
    );
    assert.equal(s.totalCents, 15);
    const t = await buildChargeback(engine, { by: 'team', period: month });
    assert.equal(owner(t, 'x').totalCents, 5);
    assert.equal(owner(t, '(untagged)').totalCents, 10);
    assert.throws(() => parseUntaggedRule('split'), /own, proportional or owner:NAME/);
  } finally {
    await engine.close();
    store.close();
  }
});

test('many owners with sub-cent costs still add up exactly to the rounded total', async () => {
  const store = await memoryStore();
  const engine = createDuckDbEngine(store);
  try {
    const rows = Array.from({ length: 13 }, (_, i) => ({
      ts: OCT(10 + (i % 5)),
      model: 'm.one-v1',
      meta: { tenant_id: `t${i % 7}` },
      cost: 0.0037 * (i + 1),
    }));
    await insertInvocations(store, rows);
    const exact = rows.reduce((a, r) => a + r.cost, 0);
    const s = await buildChargeback(engine, { by: 'tenant_id', period: month });
    assert.equal(s.totalCents, Math.round(exact * 100));
    assert.equal(sumOwners(s), s.totalCents);
    assert.equal(s.owners.length, 7);
  } finally {
    await engine.close();
    store.close();
  }
});
