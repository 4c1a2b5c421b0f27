/**
 * The columns of the events relation a Trino engine reads (src/engines/trino/relation.ts): the
 * embedded store's names (src/store/schema.ts), so a Parquet archive written from the store is the
 * relation as it is, and the S3 delivery layout is a view that computes the same columns.
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
