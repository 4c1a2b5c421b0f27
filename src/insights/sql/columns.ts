/**
 * The columns of the events relation behind each system field: the embedded store's `events`
 * table (src/store/schema.ts). Every dialect reads the same names: a Trino relation
 * (src/engines/trino/relation.ts) is a Parquet archive written from the store, or a view of the
 * S3 delivery layout that computes the same columns.
 */
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
