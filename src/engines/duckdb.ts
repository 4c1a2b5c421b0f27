import type { Store } from '../store/store.js';
import type { QueryEngine } from './engine.js';

// CONTRACT STUB — implemented by the query engine (issue 3).

export interface DuckDbEngineOptions {
  /** Resolves `$Name(...)` saved-query invocations; absent means none are defined. */
  savedQueries?: (name: string) => { queryString: string; parameters?: { name: string; defaultValue?: string }[] } | undefined;
}

export function createDuckDbEngine(store: Store, opts: DuckDbEngineOptions = {}): QueryEngine {
  void store; void opts;
  throw new Error('createDuckDbEngine: not implemented yet');
}
