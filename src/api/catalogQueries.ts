import { listFields, listLogGroups } from '../store/catalog.js';
import type { Store } from '../store/store.js';

/** The catalog of log groups and discovered fields for the console (read from src/store/catalog.ts). */
export interface LogGroupInfo {
  name: string;
  createdTime: number;
  retentionDays: number | null;
  events: number;
}

export async function logGroups(store: Store): Promise<LogGroupInfo[]> {
  return (await listLogGroups(store)).map((g) => ({
    name: g.name,
    createdTime: g.createdTs,
    retentionDays: g.retentionDays,
    events: g.events,
  }));
}

export async function fieldNames(store: Store, groups: string[]): Promise<{ field: string; events: number }[]> {
  return listFields(store, groups.length ? groups : undefined);
}
