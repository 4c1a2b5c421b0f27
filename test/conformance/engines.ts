import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { StoredEvent } from '../../src/logs/event.js';
import type { Store } from '../../src/store/store.js';
import type { QueryEngine } from '../../src/engines/engine.js';
import { createDuckDbEngine } from '../../src/engines/duckdb.js';

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

export const ENGINE_ENV = 'CONFORMANCE_ENGINE';

/** Built-in engines by name. Add an entry here when a new engine lands in src/engines/. */
export const ENGINES: Readonly<Record<string, EngineFactory>> = {
  duckdb: async ({ store, savedQueries }) => createDuckDbEngine(store, { savedQueries }),
};

/**
 * $CONFORMANCE_ENGINE selects the engine: a name from ENGINES (default `duckdb`), or a path to a
 * module whose default export is an EngineFactory (for engines that live outside this repo).
 */
export async function resolveEngine(): Promise<{ name: string; factory: EngineFactory }> {
  const sel = process.env[ENGINE_ENV] ?? 'duckdb';
  const builtin = ENGINES[sel];
  if (builtin) return { name: sel, factory: builtin };
  if (/[\\/]|\.(m?[jt]s)$/.test(sel)) {
    const path = isAbsolute(sel) ? sel : resolve(process.cwd(), sel);
    const mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
    if (typeof mod.default !== 'function') {
      throw new Error(
        `${ENGINE_ENV}=${sel}: the module must default-export an EngineFactory (ctx) => Promise<QueryEngine>`,
      );
    }
    return { name: sel, factory: mod.default as EngineFactory };
  }
  throw new Error(
    `${ENGINE_ENV}=${sel}: unknown engine; use one of ${Object.keys(ENGINES).join(', ')} or a module path`,
  );
}
