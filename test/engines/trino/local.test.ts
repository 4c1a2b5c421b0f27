// The local Trino's configuration and its failures before any server runs (the real start, reuse
// and stop are exercised by every Trino test through helpers.ts).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderConfig } from '../../../src/engines/trino/local.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const home = mkdtempSync(join(tmpdir(), 'bi-trino-home-'));
after(() => rmSync(home, { recursive: true, force: true }));

function trinoScript(args: string[], env: NodeJS.ProcessEnv): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'trino.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, BEDROCK_INSIGHTS_TRINO_HOME: home, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('the configuration: one coordinator on 127.0.0.1, the given port, memory within the heap, local files as the bucket', () => {
  const files = renderConfig({ port: 41234, run: '/c/run', install: '/c/476', heap: '1536M' });
  assert.deepEqual(Object.keys(files).sort(), [
    'catalog/hive.properties',
    'config.properties',
    'jvm.config',
    'log.properties',
    'node.properties',
  ]);
  assert.match(files['node.properties'], /^node\.bind-ip=127\.0\.0\.1$/m);
  assert.match(files['config.properties'], /^http-server\.http\.port=41234$/m);
  assert.match(files['config.properties'], /^discovery\.uri=http:\/\/127\.0\.0\.1:41234$/m);
  assert.match(files['config.properties'], /^plugin\.dir=\/c\/476\/plugin$/m);
  assert.match(files['config.properties'], /^query\.max-memory-per-node=768MB$/m);
  assert.match(files['jvm.config'], /^-Xmx1536M$/m);
  assert.match(files['catalog/hive.properties'], /^hive\.metastore\.catalog\.dir=local:\/\/\/c\/run\/metastore$/m);
  assert.match(files['catalog/hive.properties'], /^fs\.native-local\.enabled=true$/m);
  assert.match(files['catalog/hive.properties'], /^hive\.ignore-absent-partitions=true$/m);
  assert.throws(() => renderConfig({ port: 1, run: '/r', install: '/i', heap: 'lots' }), { code: 'INVALID_ARGUMENT' });
});

test('trino:start without Maven on a machine that has no Trino yet fails loudly with a coded error', () => {
  const r = trinoScript(['start'], { PATH: '/nonexistent' });
  assert.equal(r.code, 2);
  assert.equal(r.out, '', 'no TRINO_URL line');
  assert.match(
    r.err,
    /^error \[TRINO_MAVEN_MISSING\]: Maven \(mvn\) is needed once, to fetch Trino from Maven Central/m,
  );
});

test('trino status and stop with nothing running', () => {
  const status = trinoScript(['status'], {});
  assert.equal(status.code, 1);
  assert.match(status.err, /No local Trino is running \(cache: .*bi-trino-home-/);
  const stop = trinoScript(['stop'], {});
  assert.equal(stop.code, 0);
  assert.match(stop.err, /No local Trino was running\./);
});
