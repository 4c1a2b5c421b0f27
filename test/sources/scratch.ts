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
