import type { StoredEvent } from '../logs/event.js';
import type { Store } from './store.js';

// CONTRACT STUB — implemented by the ingest work (issue 2). Signatures are fixed; bodies are not.

export interface AppendResult {
  stored: number;
  duplicates: number;
}

/**
 * Writes normalised events: stores each (log group, event key) once, and keeps the catalog
 * (fields, log_groups, log_streams) current.
 */
export class EventWriter {
  constructor(readonly store: Store) {}
  async append(events: StoredEvent[]): Promise<AppendResult> {
    void events;
    throw new Error('EventWriter.append: not implemented yet');
  }
}
