/** The columns of the store's `events` table (src/store/schema.ts) behind each system field. */
export const COLUMNS = {
  timestamp: 'ts',
  ingestionTime: 'ingestion_ts',
  logStream: 'log_stream',
  logGroup: 'log_group',
  // @log is account:group.
  log: `(coalesce(account_id, '') || ':' || log_group)`,
  message: 'message',
  seq: 'seq',
  kind: 'kind',
  accountId: 'account_id',
} as const;
