/**
 * A QueryEngine whose implementation is loaded on first use: the factory returns at once, and an
 * engine's SDK (Athena, CloudWatch Logs) is imported only when a query is sent to it.
 */
import type { QueryEngine } from './engine.js';

export function lazyEngine(name: string, load: () => Promise<QueryEngine>): QueryEngine {
  let loaded: Promise<QueryEngine> | undefined;
  const get = (): Promise<QueryEngine> => (loaded ??= load());
  return {
    name,
    prepare: async (req) => (await get()).prepare(req),
    check: async (text, groups) => (await get()).check(text, groups),
    start: async (query, options) => (await get()).start(query, options),
    run: async (query, options) => (await get()).run(query, options),
    // Nothing loaded, nothing running.
    close: async () => {
      if (loaded) await (await loaded).close();
    },
  };
}
