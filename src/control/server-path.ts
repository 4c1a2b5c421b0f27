/**
 * Where a server announces that it holds a store: `<store>.server.json` (serverFile.ts writes and
 * reads it). A module of its own, without zod, so that every CLI command can look for the file
 * before loading what talking to a server needs (`check` without a store stays light).
 */
export function serverFilePath(dbPath: string): string {
  return `${dbPath}.server.json`;
}
