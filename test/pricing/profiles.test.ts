import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  extendBook,
  parseUserFile,
  priceEvents,
  profileSnapshots,
  reprice,
  resolveApplicationProfiles,
  shippedBook,
  snapshotModelId,
  unpricedModels,
} from '../../src/pricing/index.js';
import { Store } from '../../src/store/store.js';
import { costs, insertRows, near, DEC_2026 } from './helpers.js';
import { fakeBedrock, profile, type Answer } from './profiles-helpers.js';

const CREDS = { accessKeyId: 'AKIDTESTPROFILES', secretAccessKey: 'test-secret' };
const ACCT = '111122223333';
const aip = (region: string, id: string) => `arn:aws:bedrock:${region}:${ACCT}:application-inference-profile/${id}`;
const fm = (region: string, model: string) => `arn:aws:bedrock:${region}::foundation-model/${model}`;

const HAIKU35 = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const SONNET46 = 'anthropic.claude-sonnet-4-6';
const A = aip('us-east-1', 'haiku35app'); // made from one foundation model
const B = aip('us-west-2', 'sonnet46us'); // copied from the us. system profile
const C = aip('eu-west-1', 'neverthere'); // 404
const D = aip('us-east-1', 'usermapped'); // mapped in the prices file: never fetched
const E = aip('ap-northeast-1', 'denied'); // 403

function bookWithMapping() {
  const text = JSON.stringify({ version: 't', applicationProfiles: { [D]: HAIKU35 } });
  return extendBook(shippedBook(), parseUserFile(text, 'prices.json'), 'prices.json', text);
}

test('models[] to a priced id: one region = base id, one geography = that profile, several = global', () => {
  assert.equal(snapshotModelId([fm('us-east-1', HAIKU35)]).modelId, HAIKU35);
  assert.equal(
    snapshotModelId(['us-east-1', 'us-east-2', 'us-west-2'].map((r) => fm(r, SONNET46))).modelId,
    `us.${SONNET46}`,
  );
  assert.equal(snapshotModelId(['eu-west-1', 'eu-central-1'].map((r) => fm(r, SONNET46))).modelId, `eu.${SONNET46}`);
  assert.equal(
    snapshotModelId(['ap-northeast-1', 'ap-northeast-3'].map((r) => fm(r, SONNET46))).modelId,
    `jp.${SONNET46}`,
  );
  assert.equal(
    snapshotModelId(['us-east-1', 'eu-west-1', 'ap-southeast-1'].map((r) => fm(r, SONNET46))).modelId,
    `global.${SONNET46}`,
  );
  assert.equal(snapshotModelId([fm('', SONNET46), fm('us-east-1', SONNET46)]).modelId, `global.${SONNET46}`);
  assert.equal(
    snapshotModelId([fm('us-east-1', SONNET46), fm('us-east-2', HAIKU35)]).modelId,
    null,
    'two models: no single price',
  );
  assert.equal(snapshotModelId([]).modelId, null);
});

test('GetInferenceProfile snapshots price application-profile invocations; 404 and 403 are reported per ARN and stay unpriced; a deleted profile still prices', async () => {
  const answers = new Map<string, Answer>([
    [A, profile(A, 'haiku-app', [fm('us-east-1', HAIKU35)])],
    [
      B,
      profile(
        B,
        'sonnet-us',
        ['us-east-1', 'us-east-2', 'us-west-2'].map((r) => fm(r, SONNET46)),
      ),
    ],
    [
      E,
      {
        status: 403,
        body: { message: 'User is not authorized to perform bedrock:GetInferenceProfile' },
        errorType: 'AccessDeniedException',
      },
    ],
  ]);
  const bedrock = await fakeBedrock(answers);
  const book = bookWithMapping();
  const store = await Store.open(':memory:', { threads: 1 });
  try {
    await insertRows(store, [
      { modelId: A, region: 'us-east-1', input: 1000, output: 500, cacheRead: 2000, cacheWrite: 400 },
      { modelId: B, region: 'us-west-2', input: 10000, output: 1000 },
      { modelId: C, region: 'eu-west-1', input: 100, output: 100 },
      { modelId: D, region: 'us-east-1', input: 1000, output: 1000 },
      { modelId: E, region: 'ap-northeast-1', input: 7, output: 7 },
    ]);
    // Before any snapshot: every profile row but the mapped one is unpriced, and check says how to fix it.
    await priceEvents(store, { book });
    const before = await unpricedModels(store, book);
    assert.deepEqual(before.map((u) => u.modelId).sort(), [A, B, C, E].sort());
    assert.ok(
      before.every((u) => /bedrock-insights prices profiles/.test(u.why?.hint ?? '')),
      'prices check names the profiles command as the fix',
    );

    let t = Date.UTC(2026, 10, 20, 9, 0, 0);
    const r = await resolveApplicationProfiles(store, {
      endpoint: bedrock.url,
      credentials: CREDS,
      book,
      now: () => t,
    });
    assert.deepEqual(
      r.results.map((x) => [x.arn, x.outcome]),
      [
        [A, 'fetched'],
        [B, 'fetched'],
        [D, 'mapped'],
        [E, 'failed'],
        [C, 'failed'],
      ].sort((a, b) => a[0].localeCompare(b[0])),
    );
    assert.equal(r.noCredentials, false);
    // One signed GET per unmapped ARN, in the ARN's own region, for the bedrock service.
    assert.deepEqual(
      bedrock.seen.map((s) => [s.method, s.id, s.region, s.service]).sort(),
      [
        ['GET', A, 'us-east-1', 'bedrock'],
        ['GET', B, 'us-west-2', 'bedrock'],
        ['GET', C, 'eu-west-1', 'bedrock'],
        ['GET', E, 'ap-northeast-1', 'bedrock'],
      ].sort(),
    );
    const byArn = new Map(r.results.map((x) => [x.arn, x]));
    assert.equal(byArn.get(C)?.error?.code, 'ResourceNotFoundException');
    assert.equal(byArn.get(E)?.error?.code, 'AccessDeniedException');
    assert.match(byArn.get(E)?.error?.hint ?? '', /bedrock:GetInferenceProfile/);

    const snaps = await profileSnapshots(store);
    assert.deepEqual([...snaps.keys()].sort(), [A, B].sort(), 'only answers are kept');
    const sa = snaps.get(A)!;
    assert.deepEqual(
      [sa.name, sa.type, sa.status, sa.modelIds, sa.fetchedAt, sa.missingSince],
      ['haiku-app', 'APPLICATION', 'ACTIVE', [HAIKU35], t, null],
    );
    assert.deepEqual(snaps.get(B)!.modelIds, [SONNET46, SONNET46, SONNET46]);

    // Pricing picks the snapshots up for rows still waiting.
    await priceEvents(store, { book });
    const cost = new Map((await costs(store)).map((c) => [c.modelId, c]));
    // Spec section 4: Claude 3.5 Haiku 0.8 in / 4 out / 0.08 cache read / 1 cache write (5m) per 1M.
    near(cost.get(A)!.total, (1000 * 0.8 + 500 * 4 + 2000 * 0.08 + 400 * 1) / 1e6, 'A priced as Claude 3.5 Haiku');
    // Spec section 4: Sonnet 4.6 is 3 / 15; a us. geographic profile of Claude 4.5+ costs 10% more.
    near(cost.get(B)!.total, (10000 * 3.3 + 1000 * 16.5) / 1e6, 'B priced as us. Sonnet 4.6');
    near(cost.get(D)!.total, (1000 * 0.8 + 1000 * 4) / 1e6, 'the user mapping still prices D');
    assert.equal(cost.get(C)!.total, null, 'the 404 profile stays unpriced, never $0');
    assert.equal(cost.get(E)!.total, null);

    // A second run makes no call for profiles already kept.
    const calls = bedrock.seen.length;
    const again = await resolveApplicationProfiles(store, { endpoint: bedrock.url, credentials: CREDS, book });
    assert.equal(bedrock.seen.length - calls, 2, 'only the two failed ARNs are asked again');
    assert.equal(again.results.find((x) => x.arn === A)?.outcome, 'kept');

    // The profile is deleted; a refresh gets ResourceNotFound and keeps the snapshot.
    answers.delete(A);
    t = Date.UTC(2026, 11, 20, 9, 0, 0);
    const refreshed = await resolveApplicationProfiles(store, {
      endpoint: bedrock.url,
      credentials: CREDS,
      book,
      refresh: true,
      now: () => t,
    });
    assert.equal(refreshed.results.find((x) => x.arn === A)?.outcome, 'gone');
    const gone = (await profileSnapshots(store)).get(A)!;
    assert.deepEqual(
      [gone.fetchedAt, gone.missingSince, gone.modelIds],
      [Date.UTC(2026, 10, 20, 9, 0, 0), t, [HAIKU35]],
    );

    // Invocations logged before the deletion, and a full re-price, still use the snapshot.
    await insertRows(store, [{ modelId: A, region: 'us-east-1', input: 2000, output: 0, ts: DEC_2026 }]);
    await priceEvents(store, { book });
    const rep = await reprice(store, { book });
    assert.deepEqual(
      rep.changes.filter((c) => c.modelId === A).map((c) => c.changedRows),
      [],
      're-pricing changes no cost of the deleted profile',
    );
    const aRows = (await costs(store)).filter((c) => c.modelId === A);
    assert.equal(aRows.length, 2);
    near(aRows[1].total, (2000 * 0.8) / 1e6, 'a new row of the deleted profile priced from the snapshot');
    near(
      aRows[0].total,
      (1000 * 0.8 + 500 * 4 + 2000 * 0.08 + 400 * 1) / 1e6,
      'the earlier row keeps its cost after the re-price',
    );
  } finally {
    store.close();
    await bedrock.close();
  }
});

test('without credentials nothing is fetched, every ARN is reported, and nothing throws', async () => {
  const bedrock = await fakeBedrock(new Map());
  const store = await Store.open(':memory:', { threads: 1 });
  try {
    await insertRows(store, [
      { modelId: A, region: 'us-east-1', input: 1, output: 1 },
      { modelId: B, region: 'us-west-2', input: 1, output: 1 },
    ]);
    const noCreds = async () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      });
    };
    const r = await resolveApplicationProfiles(store, {
      endpoint: bedrock.url,
      credentials: noCreds,
      book: shippedBook(),
    });
    assert.equal(r.noCredentials, true);
    assert.equal(r.calls, 0);
    assert.deepEqual(
      r.results.map((x) => [x.outcome, x.error?.code]),
      [
        ['failed', 'NoCredentials'],
        ['failed', 'NoCredentials'],
      ],
    );
    assert.equal(bedrock.seen.length, 0, 'no request reached Bedrock');
    assert.equal((await profileSnapshots(store)).size, 0);
  } finally {
    store.close();
    await bedrock.close();
  }
});
