/**
 * @ptr belongs to the query engine (it encodes (log_group, seq)); GetLogRecord only decodes it.
 * Bound at first use so this module builds while the engine's export is being written.
 */
export type PtrLocation = { logGroup: string; seq: number | bigint };
type Decoder = (ptr: string) => PtrLocation | undefined | null;

let decoder: Decoder | null | undefined;

async function findDecoder(): Promise<Decoder | null> {
  if (decoder) return decoder;
  for (const path of ['../engines/ptr.js', '../engines/duckdb.js', '../insights/ptr.js']) {
    const mod = (await import(path).catch(() => null)) as Record<string, unknown> | null;
    const fn = mod?.decodePtr ?? mod?.decodePointer;
    if (typeof fn === 'function') {
      decoder = fn as Decoder;
      return decoder;
    }
  }
  return null;
}

/** The event a pointer names, or undefined for a malformed pointer. */
export async function decodePtr(ptr: string): Promise<PtrLocation | undefined> {
  const d = await findDecoder();
  if (!d) return undefined;
  try {
    return d(ptr) ?? undefined;
  } catch {
    return undefined;
  }
}
