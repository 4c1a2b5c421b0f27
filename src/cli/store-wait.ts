/**
 * `--wait SECONDS` (main.ts sets it): how long a command waits for a store that another process,
 * not a server, holds (store.ts). Apart from store.ts so that main.ts declares the option without
 * loading DuckDB.
 */
export const WAIT_DEFAULT_SECONDS = 30;
let waitSeconds = WAIT_DEFAULT_SECONDS;

export function setStoreWait(seconds: number): void {
  waitSeconds = seconds;
}

export function storeWaitSeconds(): number {
  return waitSeconds;
}
