import { rebuildDerived } from '../../src/store/events.js';
import { Store } from '../../src/store/store.js';

/**
 * A store at `db` with `n` generic events in log group `g`: enough rows that a costly query runs
 * for seconds (the Ctrl-C tests). Written with plain SQL, so the catalog counts and the hourly
 * roll-ups are rebuilt after, as every writer through src/store keeps them.
 */
export async function writeSlowStore(db: string, n: number): Promise<void> {
  const store = await Store.open(db);
  try {
    await store.connection
      .run(`INSERT INTO events (seq, log_group, log_stream, ts, ingestion_ts, event_key, kind, message)
      SELECT i, 'g', 's', i, i, 'k' || i, 'generic', 'message number ' || i FROM range(1, ${n + 1}) t(i)`);
    await rebuildDerived(store);
  } finally {
    store.close();
  }
}
