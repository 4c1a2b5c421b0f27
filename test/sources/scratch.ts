import { after } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder per call under one temporary folder of the test file, removed after its tests. */
export function scratchDirs(prefix: string): () => string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  return () => {
    const d = join(root, `case${++n}`);
    mkdirSync(d, { recursive: true });
    return d;
  };
}

/**
 * Runs fn and counts the bytes Buffer.concat copies meanwhile: the work of joining pieces, which a
 * reader must keep linear in its input (a bound on work, not on time).
 */
export async function bytesConcatenated<T>(fn: () => T | Promise<T>): Promise<{ result: T; bytes: number }> {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- Buffer.concat is static: it uses no `this`, and is put back as it was
  const concat = Buffer.concat;
  let bytes = 0;
  Buffer.concat = ((list: readonly Uint8Array[], total?: number): Buffer => {
    const out = concat(list, total);
    bytes += out.length;
    return out;
  }) as typeof Buffer.concat;
  try {
    return { result: await fn(), bytes };
  } finally {
    Buffer.concat = concat;
  }
}

/**
 * A valid invocation record, minute `i` of 2026-01-01, requestId `req-<i>`, with request and
 * response bodies (which ingest cuts out) and request metadata; `extra` overrides its fields.
 */
export function invocation(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    timestamp: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString().replace('.000Z', 'Z'),
    accountId: '123456789012',
    region: 'us-east-1',
    requestId: `req-${i}`,
    operation: 'Converse',
    modelId: 'amazon.nova-lite-v1:0',
    input: {
      inputContentType: 'application/json',
      inputBodyJson: { messages: [{ role: 'user', content: [{ text: `secret prompt ${i}` }] }] },
      inputTokenCount: 10 + i,
    },
    output: { outputContentType: 'application/json', outputBodyJson: { stopReason: 'end_turn' }, outputTokenCount: 5 },
    identity: { arn: 'arn:aws:sts::123456789012:assumed-role/app/s' },
    requestMetadata: { tenant_id: `tenant-${i % 3}` },
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
    ...extra,
  };
}
