import { createEngine } from '../engines/factory.js';
import type { QueryEngine } from '../engines/engine.js';
import { priceEvents } from '../pricing/index.js';
import { listFields } from '../store/catalog.js';
import type { Store } from '../store/store.js';

/** A store and an engine over it, for the report commands. */
export interface ReportContext {
  store: Store;
  engine: QueryEngine;
  /** The field names the store has seen (the owner-key check's candidates). */
  knownFields(logGroups?: string[]): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * The context of a report command over a store the caller opened read-write (the CLI's
 * `withStore`, which refuses a store that does not exist: a mistyped --db must never become an
 * empty store and a $0 statement). Prices any Bedrock rows not priced yet (what ingest does after
 * each batch: one GROUP BY and no UPDATE when everything is priced), so a statement never treats
 * rows that were merely not priced yet as unpriced. `close` closes the engine; the store stays
 * the caller's.
 */
export async function reportContext(store: Store): Promise<ReportContext> {
  await priceEvents(store, { where: 'unpriced' });
  const engine = createEngine(store);
  return {
    store,
    engine,
    async knownFields(logGroups?: string[]) {
      return (await listFields(store, logGroups && logGroups.length ? logGroups : undefined)).map((f) => f.field);
    },
    async close() {
      await engine.close();
    },
  };
}
