import { createEngine } from '../engines/factory.js';
import type { QueryEngine } from '../engines/engine.js';
import { priceEvents } from '../pricing/index.js';
import { defaultDbPath, Store } from '../store/store.js';

/** A store and an engine over it, for the report commands. */
export interface ReportContext {
  store: Store;
  engine: QueryEngine;
  close(): Promise<void>;
}

/**
 * Opens the store and prices any Bedrock rows not priced yet (what ingest does after each batch:
 * one GROUP BY and no UPDATE when everything is priced), so a statement never treats rows that
 * were merely not priced yet as unpriced.
 */
export async function openReportContext(db?: string): Promise<ReportContext> {
  const store = await Store.open(defaultDbPath(db));
  try {
    await priceEvents(store, { where: 'unpriced' });
  } catch (e) {
    store.close();
    throw e;
  }
  const engine = createEngine(store);
  return {
    store,
    engine,
    async close() {
      await engine.close();
      store.close();
    },
  };
}
