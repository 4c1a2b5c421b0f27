import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { StoredEvent } from '../../src/logs/event.js';
import type { Store } from '../../src/store/store.js';
import type { QueryEngine } from '../../src/engines/engine.js';
import { createEngine } from '../../src/engines/factory.js';

/** A saved query (query definition) as engines receive it. */
export interface SavedQuery {
  queryString: string;
  parameters?: { name: string; defaultValue?: string }[];
}

const SAVED_QUERIES_FILE = fileURLToPath(new URL('saved-queries.json', import.meta.url));

/** The saved queries of saved-queries.json, by name (the cases of $Name(...) expansion use them). */
export function loadSavedQueries(): Readonly<Record<string, SavedQuery>> {
  return (JSON.parse(readFileSync(SAVED_QUERIES_FILE, 'utf8')) as { queries: Record<string, SavedQuery> }).queries;
}

/**
 * Which engine the conformance suite judges. The data set is always loaded into an in-memory
 * Store through the real ingest path; an engine that reads elsewhere (CloudWatch pass-through,
 * Athena) gets the same normalised events so it can upload them to its own back end first.
 */
export interface EngineContext {
  store: Store;
  dataset: string;
  events: StoredEvent[];
  /** Resolves `$Name(...)`: the saved queries every engine under test must know. */
  savedQueries: (name: string) => SavedQuery | undefined;
}

export type EngineFactory = (ctx: EngineContext) => Promise<QueryEngine>;

/**
 * Cases an engine is known not to pass, with the reason (Hono's `runTest({ skip: [{ reason,
 * tests }] })`). A reason is an engine limit, not a shortcut, and is written down in
 * docs/semantics.md. A case is named `<file> › <case name>` as in the test list (`<file>` alone
 * skips every case of that file); a name that matches no case fails the suite, so the list
 * cannot go stale.
 */
export interface Skip {
  reason: string;
  cases: readonly string[];
}

export interface EngineEntry {
  factory: EngineFactory;
  skip?: readonly Skip[];
}

export const ENGINE_ENV = 'CONFORMANCE_ENGINE';

/** Built-in engines by name. Add an entry here when a new engine lands in src/engines/. */
export const ENGINES: Readonly<Record<string, EngineEntry>> = {
  duckdb: {
    factory: async ({ store, savedQueries }) => createEngine(store, { engine: 'duckdb', savedQueries, rollups: true }),
    skip: [],
  },
  // The embedded engine reading only events (BEDROCK_INSIGHTS_ROLLUPS=off): the baseline the
  // roll-up answers are compared with, case by case, when the suite runs `duckdb`.
  'duckdb-events': {
    factory: async ({ store, savedQueries }) => createEngine(store, { engine: 'duckdb', savedQueries, rollups: false }),
    skip: [],
  },
  trino: {
    factory: async (ctx) => (await import('./trino-engine.js')).trinoConformanceEngine(ctx),
    skip: [
      {
        reason:
          'Trino over the S3 delivery layout has no field index (the store keeps one at ingest; listing the fields of a layout read in place would read every record): every field is read from the record, so a field that never occurs is missing as on DuckDB but draws no FIELD_NEVER_SEEN warning (docs/semantics.md, Trino #T3)',
        cases: [
          'seed/guide.json › Q13 iam-role-and-metadata',
          'seed/mini.json › Q13 iam-role-and-metadata on bedrock-mini',
          'semantics/more.json › a field that never occurs: missing everywhere, with a warning',
        ],
      },
    ],
  },
};

/** The reason a case is skipped for this engine, or undefined when it runs. */
export function skipReason(skip: readonly Skip[], file: string, caseName: string): string | undefined {
  const id = `${file} › ${caseName}`;
  return skip.find((s) => s.cases.some((c) => c === id || c === file))?.reason;
}

/** Skip entries that name no case (`ids`: every `<file> › <case name>`). */
export function staleSkips(skip: readonly Skip[], ids: readonly string[]): string[] {
  const files = new Set(ids.map((id) => id.slice(0, id.indexOf(' › '))));
  const known = new Set(ids);
  return skip.flatMap((s) => s.cases.filter((c) => !known.has(c) && !files.has(c)));
}

export interface ResolvedEngine {
  name: string;
  factory: EngineFactory;
  skip: readonly Skip[];
}

/**
 * $CONFORMANCE_ENGINE selects the engine: a name from ENGINES (default `duckdb`), or a path to a
 * module whose default export is an EngineFactory and whose optional `skip` export is its skip
 * list (for engines that live outside this repo).
 */
export async function resolveEngine(): Promise<ResolvedEngine> {
  const sel = process.env[ENGINE_ENV] || 'duckdb';
  const builtin = Object.prototype.hasOwnProperty.call(ENGINES, sel) ? ENGINES[sel] : undefined;
  if (builtin) return { name: sel, factory: builtin.factory, skip: builtin.skip ?? [] };
  if (/[\\/]|\.(m?[jt]s)$/.test(sel)) {
    const path = isAbsolute(sel) ? sel : resolve(process.cwd(), sel);
    // eslint-disable-next-line no-restricted-syntax -- an engine outside this repository, named by $CONFORMANCE_ENGINE: a plugin path by design
    const mod = (await import(pathToFileURL(path).href)) as { default?: unknown; skip?: unknown };
    if (typeof mod.default !== 'function') {
      throw new Error(
        `${ENGINE_ENV}=${sel}: the module must default-export an EngineFactory (ctx) => Promise<QueryEngine>`,
      );
    }
    return { name: sel, factory: mod.default as EngineFactory, skip: (mod.skip as Skip[] | undefined) ?? [] };
  }
  throw new Error(
    `${ENGINE_ENV}=${sel}: unknown engine; use one of ${Object.keys(ENGINES).join(', ')} or a module path`,
  );
}
