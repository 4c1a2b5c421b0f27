import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { PRICES_ENV } from '../../src/pricing/index.js';
import { Store } from '../../src/store/store.js';
import { costs, insertRows, near, tempDir, writeJson } from './helpers.js';
import { fakeBedrock, profile } from './profiles-helpers.js';

const ARN = 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/clihaiku';
const MISSING = 'arn:aws:bedrock:us-west-2:111122223333:application-inference-profile/cligone';
const HAIKU3 = 'anthropic.claude-3-haiku-20240307-v1:0';

/** `bedrock-insights <args>` through the real entry point; returns the exit code and stdout. */
async function cli(args: string[]): Promise<{ code: number; text: string }> {
  let text = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  };
  try {
    const code = await main(['node', 'bedrock-insights', ...args]);
    return { code, text };
  } finally {
    process.stdout.write = write;
  }
}

// The standard credential chain reads these first; the user's own prices file must not be read.
const ENV = {
  AWS_ACCESS_KEY_ID: 'AKIDTESTCLI',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  [PRICES_ENV]: writeJson(tempDir(), 'p.json', { version: 'test', prices: [] }),
};
const saved = Object.fromEntries(Object.keys(ENV).map((k) => [k, process.env[k]]));
for (const [k, v] of Object.entries(ENV)) {
  if (v === undefined) delete process.env[k];
  else process.env[k] = v;
}
test.after(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

test('prices check names `prices profiles` as the fix; `prices profiles` fetches, prices the waiting rows and lists them', async () => {
  const db = join(tempDir(), 'store.duckdb');
  const s = await Store.open(db, { threads: 1 });
  try {
    await insertRows(s, [
      { modelId: ARN, region: 'us-east-1', input: 4000, output: 800 },
      { modelId: MISSING, region: 'us-west-2', input: 10, output: 10 },
    ]);
  } finally {
    s.close();
  }
  const bedrock = await fakeBedrock(
    new Map([[ARN, profile(ARN, 'cli-haiku', [`arn:aws:bedrock:us-east-1::foundation-model/${HAIKU3}`])]]),
  );
  try {
    const check = await cli(['prices', 'check', '--db', db]);
    assert.equal(check.code, 1);
    assert.match(check.text, /run `npx bedrock-insights prices profiles` with AWS credentials/);

    const r = await cli(['prices', 'profiles', '--db', db, '--endpoint-url', bedrock.url]);
    assert.equal(r.code, 1, 'one profile stays unresolved');
    assert.deepEqual(bedrock.seen.map((x) => [x.id, x.region]).sort(), [
      [ARN, 'us-east-1'],
      [MISSING, 'us-west-2'],
    ]);
    const line = r.text.split('\n').find((l) => l.startsWith(ARN)) ?? '';
    assert.match(
      line,
      new RegExp(`cli-haiku\\s+${HAIKU3.replace(/[.:]/g, '\\$&')}\\s+\\d{4}-\\d{2}-\\d{2}\\s+fetched now`),
    );
    assert.match(r.text, new RegExp(`${MISSING}: ResourceNotFoundException: .*To fix: the profile does not exist`));
    assert.match(r.text, /Priced 1 waiting invocation; 1 still unpriced/);

    const rows = await (async () => {
      const st = await Store.open(db, { threads: 1, readOnly: true });
      try {
        return await costs(st);
      } finally {
        st.close();
      }
    })();
    // Spec section 4: Claude 3 Haiku is 0.25 in / 1.25 out per 1M tokens.
    near(
      rows.find((x) => x.modelId === ARN)?.total,
      (4000 * 0.25 + 800 * 1.25) / 1e6,
      'the profile row priced as Claude 3 Haiku',
    );
    assert.equal(rows.find((x) => x.modelId === MISSING)?.total, null);

    // JSON, second run: the kept snapshot is not fetched again.
    const before = bedrock.seen.length;
    const j = await cli(['prices', 'profiles', '--db', db, '--endpoint-url', bedrock.url, '--format', 'json']);
    const parsed = JSON.parse(j.text) as { calls: number; profiles: { arn: string; outcome: string }[] };
    assert.equal(parsed.calls, 1);
    assert.equal(bedrock.seen.length - before, 1);
    assert.deepEqual(
      parsed.profiles.map((p) => [p.arn, p.outcome]),
      [
        [ARN, 'kept'],
        [MISSING, 'failed'],
      ],
    );
  } finally {
    await bedrock.close();
  }
});
