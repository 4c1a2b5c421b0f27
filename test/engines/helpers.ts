/**
 * Small in-memory stores for engine tests, written with plain SQL INSERTs (independent of the
 * ingest path, so engine tests pin the engine alone). Expected rows are worked out by hand in
 * each test from the events defined there.
 */
import { Store } from '../../src/store/store.js';
import { rebuildRollups } from '../../src/store/rollups.js';
import { inTransaction } from '../../src/store/transaction.js';
import { createDuckDbEngine, type DuckDbEngineOptions } from '../../src/engines/duckdb.js';
import type { QueryEngine } from '../../src/engines/engine.js';
import type { QueryResult } from '../../src/engines/engine.js';

export interface TestEvent {
  group?: string;
  stream?: string;
  /** ISO time or epoch ms. */
  ts: string | number;
  ingestion?: string | number;
  /** A Bedrock invocation record (stored as kind 'bedrock'). */
  record?: Record<string, unknown>;
  /** A generic event's message (text or JSON text). */
  message?: string;
}

export const BEDROCK_GROUP = '/aws/bedrock/modelinvocations';

function ms(t: string | number): number {
  return typeof t === 'number' ? t : Date.parse(t);
}

function sql(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return String(v);
  return `'${String(v).replace(/'/g, "''")}'`;
}

/** Flattened discovered field names of a JSON value (dots, .N. for arrays; null/{}/[] skipped). */
export function flattenNames(v: unknown, prefix = '', out: string[] = []): string[] {
  if (v === null || v === undefined) return out;
  if (Array.isArray(v)) {
    v.forEach((x, i) => flattenNames(x, prefix ? `${prefix}.${i}` : String(i), out));
  } else if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      flattenNames(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.push(prefix);
  }
  return out;
}

function get(o: Record<string, unknown>, path: string): unknown {
  let cur: unknown = o;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** A Bedrock record with the usual shape. */
export function bedrock(over: {
  app?: string;
  env?: string;
  tenant?: string;
  user?: string;
  model?: string;
  arn?: string;
  input?: number;
  output?: number;
  requestId?: string;
  extra?: Record<string, unknown>;
  meta?: Record<string, string>;
  ts?: string;
}): Record<string, unknown> {
  const meta: Record<string, string> = { ...(over.meta ?? {}) };
  if (over.app !== undefined) meta.application_name = over.app;
  if (over.env !== undefined) meta.environment = over.env;
  if (over.tenant !== undefined) meta.tenant_id = over.tenant;
  if (over.user !== undefined) meta.user_id = over.user;
  const rec: Record<string, unknown> = {
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
    timestamp: over.ts ?? '2026-01-01T00:00:00Z',
    accountId: '123456789012',
    identity: { arn: over.arn ?? 'arn:aws:iam::123456789012:role/app' },
    region: 'us-east-1',
    requestId: over.requestId ?? Math.random().toString(36).slice(2),
    operation: 'Converse',
    modelId: over.model ?? 'anthropic.claude-3-haiku-20240307-v1:0',
    input: { inputContentType: 'application/json', inputTokenCount: over.input ?? 10 },
    output: { outputContentType: 'application/json', outputTokenCount: over.output ?? 5 },
    ...(Object.keys(meta).length ? { requestMetadata: meta } : {}),
    ...(over.extra ?? {}),
  };
  return rec;
}

export async function makeStore(events: TestEvent[], opts: { catalog?: boolean; path?: string } = {}): Promise<Store> {
  const store = await Store.open(opts.path ?? ':memory:');
  const c = store.connection;
  const fields = new Map<string, Map<string, number>>();
  const generic = new Map<string, number>();
  let seq = 0;
  for (const e of events) {
    seq++;
    const group = e.group ?? BEDROCK_GROUP;
    const stream = e.stream ?? 'aws/bedrock/modelinvocations';
    const ts = ms(e.ts);
    const ing = e.ingestion !== undefined ? ms(e.ingestion) : ts + 1000;
    if (!generic.has(group)) generic.set(group, 0);
    let fmap = fields.get(group);
    if (!fmap) fields.set(group, (fmap = new Map()));
    if (e.record) {
      const r = e.record;
      const message = JSON.stringify(r);
      for (const f of flattenNames(r)) fmap.set(f, (fmap.get(f) ?? 0) + 1);
      const meta = r.requestMetadata as Record<string, string> | undefined;
      const metaSql = meta
        ? `MAP {${Object.entries(meta)
            .map(([k, v]) => `${sql(k)}: ${sql(v)}`)
            .join(', ')}}`
        : 'NULL';
      await c.run(`INSERT INTO events (seq, log_group, log_stream, ts, ingestion_ts, event_key, kind, account_id, region, inference_region, operation, model_id, identity_arn, request_id, error_code, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, request_metadata, message)
        VALUES (${seq}, ${sql(group)}, ${sql(stream)}, ${ts}, ${ing}, ${sql(String(r.requestId ?? seq))}, 'bedrock', ${sql(r.accountId)}, ${sql(r.region)}, ${sql(r.inferenceRegion)}, ${sql(r.operation)}, ${sql(r.modelId)}, ${sql(get(r, 'identity.arn'))}, ${sql(r.requestId)}, ${sql(r.errorCode)},
        ${sql(get(r, 'input.inputTokenCount'))}, ${sql(get(r, 'output.outputTokenCount'))}, ${sql(get(r, 'input.cacheReadInputTokenCount'))}, ${sql(get(r, 'input.cacheWriteInputTokenCount'))}, ${metaSql}, ${sql(message)})`);
    } else {
      const message = e.message ?? '';
      generic.set(group, (generic.get(group) ?? 0) + 1);
      try {
        const parsed: unknown = JSON.parse(message);
        if (parsed && typeof parsed === 'object')
          for (const f of flattenNames(parsed)) fmap.set(f, (fmap.get(f) ?? 0) + 1);
      } catch {
        /* text message: no discovered fields */
      }
      await c.run(`INSERT INTO events (seq, log_group, log_stream, ts, ingestion_ts, event_key, kind, message)
        VALUES (${seq}, ${sql(group)}, ${sql(stream)}, ${ts}, ${ing}, ${sql(`k${seq}`)}, 'generic', ${sql(message)})`);
    }
  }
  if (opts.catalog !== false) {
    for (const [g, n] of generic)
      await c.run(`INSERT INTO log_groups (name, created_ts, generic_events) VALUES (${sql(g)}, 0, ${n})`);
    for (const [g, fm] of fields)
      for (const [f, n] of fm) await c.run(`INSERT INTO fields VALUES (${sql(g)}, ${sql(f)}, ${n})`);
  }
  // Events written with plain SQL: the hourly roll-ups are rebuilt, as src/store/rollups.ts asks
  // of every writer outside src/store (the engine answers stats queries from them).
  await store.writing(() => inTransaction(c, () => rebuildRollups(c)));
  return store;
}

export async function withEngine<T>(
  events: TestEvent[],
  fn: (engine: QueryEngine, store: Store) => Promise<T>,
  opts: DuckDbEngineOptions & { catalog?: boolean } = {},
): Promise<T> {
  const store = await makeStore(events, opts);
  const engine = createDuckDbEngine(store, opts);
  try {
    return await fn(engine, store);
  } finally {
    await engine.close();
    store.close();
  }
}

/** Rows as plain objects (sparse: absent fields absent), @ptr dropped unless kept. */
export function objects(r: QueryResult, keepPtr = false): Record<string, string>[] {
  return r.rows.map((row) => {
    const o: Record<string, string> = {};
    for (const f of row) if (keepPtr || f.field !== '@ptr') o[f.field] = f.value;
    return o;
  });
}
