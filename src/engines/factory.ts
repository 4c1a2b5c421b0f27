/**
 * The one place that decides which engine runs a query: the CLI, the server and the reports
 * ask here, never an engine module directly. A new engine adds its name and constructor.
 */
import type { Store } from '../store/store.js';
import { createDuckDbEngine } from './duckdb.js';
import type { QueryEngine } from './engine.js';
import type { EngineOptions } from './query-engine.js';

export type EngineName = 'duckdb';

export interface EngineSettings extends EngineOptions {
  /** Default `duckdb`: the embedded store. */
  engine?: EngineName;
}

const ENGINES: Readonly<Record<EngineName, (store: Store, opts: EngineOptions) => QueryEngine>> = {
  duckdb: createDuckDbEngine,
};

export const ENGINE_NAMES = Object.keys(ENGINES) as EngineName[];

export function createEngine(store: Store, settings: EngineSettings = {}): QueryEngine {
  const { engine = 'duckdb', ...opts } = settings;
  return ENGINES[engine](store, opts);
}
