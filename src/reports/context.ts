import { existsSync } from 'node:fs';
import { createEngine } from '../engines/factory.js';
import type { QueryEngine } from '../engines/engine.js';
import { priceEvents } from '../pricing/index.js';
import { listFields } from '../store/catalog.js';
import { defaultDbPath, Store } from '../store/store.js';
import { BiError } from '../util/errors.js';

/** A store and an engine over it, for the report commands. */
export interface ReportContext {
  store: Store;
  engine: QueryEngine;
  /** The field names the store has seen (the owner-key check's candidates). */
  knownFields(logGroups?: string[]): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Opens an existing store (a mistyped --db must never become an empty store and a $0 statement)
 * and prices any Bedrock rows not priced yet (what ingest does after each batch: one GROUP BY and
 * no UPDATE when everything is priced), so a statement never treats rows that were merely not
 * priced yet as unpriced.
 */
export async function openReportContext(db?: string): Promise<ReportContext> {
  const path = defaultDbPath(db);
  if (path !== ':memory:' && !existsSync(path)) {
    throw new BiError(
      'STORE_MISSING',
      `There is no store at ${path}. Check the --db path (or $BEDROCK_INSIGHTS_DB); ingest logs first with bedrock-insights ingest, or try bedrock-insights demo.`,
    );
  }
  const store = await Store.open(path);
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
    async knownFields(logGroups?: string[]) {
      return (await listFields(store, logGroups && logGroups.length ? logGroups : undefined)).map((f) => f.field);
    },
    async close() {
      await engine.close();
      store.close();
    },
  };
}
