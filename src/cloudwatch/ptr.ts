import { decodePtr as decodeEnginePtr } from '../insights/format.js';

/** @ptr belongs to the query engine (it encodes (log_group, seq)); GetLogRecord only decodes it. */
export type PtrLocation = { logGroup: string; seq: number | bigint };

/** The event a pointer names, or undefined for a malformed pointer. */
export async function decodePtr(ptr: string): Promise<PtrLocation | undefined> {
  try {
    return decodeEnginePtr(ptr) ?? undefined;
  } catch {
    return undefined;
  }
}
