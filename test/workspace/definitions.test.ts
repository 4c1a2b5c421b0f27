import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../src/store/store.js';
import {
  BEDROCK_FOLDER,
  DEFAULT_DASHBOARD_ID,
  Definitions,
  checkDashboardBody,
  HISTORY_LIMIT,
  cloudWatchName,
  splitCloudWatchName,
} from '../../src/workspace/definitions.js';
import { PACK_REVISIONS } from '../../src/workspace/queryPack.js';
import { OPERATIONS_DASHBOARD_ID, operationsDashboardBody } from '../../src/workspace/operationsDashboard.js';

const PACK = join(process.cwd(), 'queries', 'bedrock');

async function open(): Promise<{ store: Store; defs: Definitions }> {
  const store = await Store.open(':memory:');
  return { store, defs: await Definitions.open(store) };
}

test('the user\'s 13 queries are preloaded in "Bedrock usage": the guide\'s titles, purposes and exact text, or their revision', async () => {
  const { store, defs } = await open();
  try {
    const files = readdirSync(PACK)
      .filter((f) => f.endsWith('.insights'))
      .sort();
    assert.equal(files.length, 13);
    const saved = defs.listSavedQueries();
    assert.equal(saved.length, 13);
    for (const f of files) {
      const text = readFileSync(join(PACK, f), 'utf8');
      const [l1, l2, ...rest] = text.split('\n');
      const revised = PACK_REVISIONS[f];
      const title = revised?.name ?? l1.slice(2).trim();
      const q = saved.find((s) => s.name === title);
      assert.ok(q, `saved query titled ${title}`);
      assert.equal(q.folder, BEDROCK_FOLDER);
      assert.equal(q.builtin, true);
      if (revised) continue; // test/workspace/query-pack.test.ts checks the revised ones
      assert.equal(q.description, l2.replace('# Purpose: ', '').trim());
      assert.equal(q.queryString, rest.join('\n').trimEnd());
    }
    const revisedNames = new Set(Object.values(PACK_REVISIONS).map((r) => r.name));
    assert.equal(saved.filter((q) => revisedNames.has(q.name)).length, 2);
    // natural order: Query 2 before Query 10
    const names = saved.map((s) => s.name);
    assert.ok(names.findIndex((n) => n.startsWith('Query 2:')) < names.findIndex((n) => n.startsWith('Query 10:')));
  } finally {
    defs.close();
    store.close();
  }
});

test('seeding happens once: deleting a preloaded query survives reopening the store', async () => {
  const store = await Store.open(':memory:');
  try {
    const a = await Definitions.open(store);
    const first = a.listSavedQueries()[0];
    await a.deleteSavedQuery(first.id);
    a.close();
    const b = await Definitions.open(store);
    assert.equal(b.listSavedQueries().length, 12);
    assert.equal(b.getSavedQuery(first.id), undefined);
    b.close();
  } finally {
    store.close();
  }
});

test('saved queries: create, rename, move, delete; folders rename and delete; CloudWatch names', async () => {
  const { store, defs } = await open();
  try {
    const q = await defs.createSavedQuery({
      name: 'Errors',
      folder: 'Ops',
      queryString: 'filter ispresent(errorCode)',
      logGroups: ['/a'],
    });
    assert.equal(cloudWatchName(q), 'Ops/Errors');
    assert.deepEqual(splitCloudWatchName('Ops/Team/Errors'), { folder: 'Ops/Team', name: 'Errors' });
    assert.equal(defs.lookupByName('Ops/Errors')?.id, q.id);
    assert.equal(defs.lookupByName('Errors')?.id, q.id);
    const renamed = await defs.updateSavedQuery(q.id, { name: 'All errors' });
    assert.equal(renamed.name, 'All errors');
    assert.equal(renamed.queryString, 'filter ispresent(errorCode)');
    assert.deepEqual(renamed.logGroups, ['/a']);
    assert.equal(await defs.renameFolder('Ops', 'Operations'), 1);
    assert.equal(defs.getSavedQuery(q.id)?.folder, 'Operations');
    await assert.rejects(defs.createSavedQuery({ name: '  ', queryString: 'x' }), /needs a name/);
    await assert.rejects(defs.updateSavedQuery('nope', { name: 'x' }), /No saved query/);
    assert.equal(await defs.deleteFolder(BEDROCK_FOLDER), 13);
    assert.equal(defs.listSavedQueries().length, 1);
    assert.equal(await defs.deleteSavedQuery(q.id), true);
    assert.equal(await defs.deleteSavedQuery(q.id), false);
  } finally {
    defs.close();
    store.close();
  }
});

test(`history keeps the newest ${HISTORY_LIMIT} runs, newest first`, async () => {
  const { store, defs } = await open();
  try {
    for (let i = 0; i < HISTORY_LIMIT + 5; i++) {
      await defs.addHistory({
        queryString: `q${i}`,
        logGroups: [],
        range: { kind: 'relative', value: '1h' },
        runTime: 1000 + i,
        status: 'Complete',
        recordsMatched: i,
        rowCount: 1,
        durationMs: 3,
        error: null,
      });
    }
    const h = await defs.listHistory(HISTORY_LIMIT + 50);
    assert.equal(h.length, HISTORY_LIMIT);
    assert.equal(h[0].queryString, `q${HISTORY_LIMIT + 4}`);
    assert.equal(h.at(-1)!.queryString, 'q5');
    assert.deepEqual(h[0].range, { kind: 'relative', value: '1h' });
  } finally {
    defs.close();
    store.close();
  }
});

test("the default dashboard has the guide's four widgets and cost at a glance", async () => {
  const { store, defs } = await open();
  try {
    const d = await defs.getDashboard(DEFAULT_DASHBOARD_ID);
    assert.ok(d);
    assert.equal(d.name, 'Bedrock usage');
    assert.equal(d.totals, true);
    assert.deepEqual(
      d.widgets.map((w) => w.view),
      ['line', 'pie', 'stackedArea', 'number', 'table', 'bar'],
    );
    assert.match(d.widgets[0].queryString, /by bin\(1h\)/);
    assert.match(d.widgets[1].queryString, /application_name/);
    // Cost per day by model, and the share of tokens that cost leaves out: Logs Insights queries the user can open.
    assert.match(d.widgets[2].queryString, /stats sum\(cost\.total\) as CostUSD by bin\(1d\), modelId/);
    assert.match(d.widgets[3].queryString, /sum\(cost\.unpricedTokens\)/);
    assert.match(d.widgets[4].queryString, /limit 20/);
    assert.equal(d.widgets[4].live, true);
    assert.match(d.widgets[5].queryString, /cost_center/);
  } finally {
    defs.close();
    store.close();
  }
});

test('the "Bedrock operations" dashboard: latency, TTFT, errors, caching and operations, valid widgets; added once to an older store', async () => {
  const { store, defs } = await open();
  try {
    const d = await defs.getDashboard(OPERATIONS_DASHBOARD_ID);
    assert.ok(d);
    assert.equal(d.name, 'Bedrock operations');
    assert.equal(d.builtin, true);
    // Its widgets pass the same validation as a user's (they are usable on any dashboard).
    assert.deepEqual(checkDashboardBody(operationsDashboardBody()).widgets, d.widgets);
    const q = d.widgets.map((w) => w.queryString).join('\n');
    for (const want of [
      /pct\(LatencyMs, 95\)/,
      /output\.outputBodyJson\.metrics\.latencyMs/,
      /firstByteLatency/,
      /ThrottlingException/,
      /by errorCode/,
      /cacheReadInputTokenCount/,
      /SavingUSD/,
      /by bin\(1h\), operation/,
    ])
      assert.match(q, want);
    // A store seeded before the operations dashboard gets it once; deleted afterwards, it stays deleted.
    await defs.deleteDashboard(OPERATIONS_DASHBOARD_ID);
    await store.connection.run(`UPDATE meta SET value = '2' WHERE key = 'console_seed_revision'`);
    const again = await Definitions.open(store);
    assert.ok(await again.getDashboard(OPERATIONS_DASHBOARD_ID));
    await again.deleteDashboard(OPERATIONS_DASHBOARD_ID);
    again.close();
    const third = await Definitions.open(store);
    assert.equal(await third.getDashboard(OPERATIONS_DASHBOARD_ID), undefined);
    third.close();
  } finally {
    defs.close();
    store.close();
  }
});

test('dashboards: create, update widgets and range, validation, delete', async () => {
  const { store, defs } = await open();
  try {
    const d = await defs.createDashboard('Ops', {
      range: { kind: 'relative', value: '3h' },
      refresh: '30s',
      totals: false,
      widgets: [],
    });
    const u = await defs.updateDashboard(d.id, {
      widgets: [
        {
          id: 'a',
          title: 'Count',
          queryString: 'stats count(*)',
          logGroups: ['/g'],
          view: 'number',
          width: 99,
          height: 0,
        },
      ],
    });
    assert.equal(u.widgets[0].width, 24, 'width clamped to the 24-column grid');
    assert.equal(u.widgets[0].height, 1);
    assert.equal(u.refresh, '30s');
    await assert.rejects(
      defs.updateDashboard(d.id, {
        widgets: [{ id: 'b', title: '', queryString: 'x', logGroups: [], view: 'donut' as never, width: 6, height: 6 }],
      }),
      /unknown view/,
    );
    // The two built-in dashboards and this one.
    assert.equal((await defs.listDashboards()).length, 3);
    assert.equal(await defs.deleteDashboard(d.id), true);
    assert.equal(await defs.getDashboard(d.id), undefined);
  } finally {
    defs.close();
    store.close();
  }
});
