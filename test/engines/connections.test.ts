// --keep-bodies as a connection setting: it reaches the Trino/Athena settings from the CLI's flags
// and from serve's config file alike, and is refused where it means nothing (the store, the
// archive, CloudWatch) instead of being ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineConnections, engineSettings } from '../../src/engines/connections.js';
import { eventSource } from '../../src/engines/trino/relation.js';
import { BiError } from '../../src/util/errors.js';

function refused(f: () => unknown, pattern: RegExp): void {
  assert.throws(f, (e: unknown) => e instanceof BiError && e.code === 'INVALID_ARGUMENT' && pattern.test(e.message));
}

test('--keep-bodies reaches the delivery source of trino and athena; off by default', () => {
  const t = engineSettings({ engine: 'trino', trinoUrl: 'http://127.0.0.1:1', keepBodies: true });
  assert.equal(t.trino?.keepBodies, true);
  assert.deepEqual(eventSource(t.trino ?? {}, 'hive.b.i'), { kind: 'delivery', table: 'hive.b.i', keepBodies: true });
  const a = engineSettings({ engine: 'athena', workgroup: 'w', keepBodies: true });
  assert.equal(a.athena?.keepBodies, true);
  const plain = engineSettings({ engine: 'trino', trinoUrl: 'http://127.0.0.1:1' });
  assert.equal(plain.trino?.keepBodies, undefined);
  assert.deepEqual(eventSource(plain.trino ?? {}, 'hive.b.i'), { kind: 'delivery', table: 'hive.b.i' });
});

test('--keep-bodies is refused on the store, on CloudWatch and with --archive', () => {
  refused(
    () => engineSettings({ engine: 'duckdb', keepBodies: true }),
    /--keep-bodies does not apply to --engine duckdb/,
  );
  refused(() => engineSettings({ engine: 'cloudwatch', keepBodies: true }), /--keep-bodies does not apply/);
  refused(
    () => engineSettings({ engine: 'trino', trinoUrl: 'http://127.0.0.1:1', archive: true, keepBodies: true }),
    /archive holds what the store kept/,
  );
});

test("serve's config file takes keepBodies as the flag; only a JSON true turns it on", () => {
  const c = engineConnections(
    {
      raw: { engine: 'trino', trinoUrl: 'http://127.0.0.1:1', keepBodies: true },
      cut: { engine: 'trino', trinoUrl: 'http://127.0.0.1:1', keepBodies: 'yes' },
    },
    'server.json',
  );
  assert.equal(c.get('raw')?.trino?.keepBodies, true);
  assert.equal(c.get('cut')?.trino?.keepBodies, undefined);
  assert.throws(
    () => engineConnections({ x: { engine: 'duckdb', keepBodies: true } }, 'server.json'),
    /server.json: "engines" \.x: --keep-bodies does not apply/,
  );
});
