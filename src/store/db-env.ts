/**
 * The environment variable naming the default store. In its own module so that the CLI's option
 * declarations can name it without loading store.ts (and DuckDB's native binding) at start-up.
 */
export const DB_ENV = 'BEDROCK_INSIGHTS_DB';
