import { chmodSync, copyFileSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * A file that belongs to one store: `<store file>.<suffix>` (store.duckdb → store.duckdb.sources.json),
 * so that two stores in one folder never share sources or secrets. Earlier versions kept one
 * `<folder>/<legacyName>` for every store of the folder: when the store has no file of its own
 * yet, that one is copied (private) and from then on the store's own is used, each store its own.
 * `:memory:` stores keep theirs in the working folder.
 */
export function perStoreFile(dbPath: string, suffix: string, legacyName: string): string {
  if (dbPath === ':memory:') return join(process.cwd(), legacyName);
  const own = `${dbPath}.${suffix}`;
  const legacy = join(dirname(dbPath), legacyName);
  if (!existsSync(own) && existsSync(legacy) && basename(legacy) !== basename(own)) {
    try {
      copyFileSync(legacy, own);
      chmodSync(own, 0o600);
    } catch {
      return legacy; // a read-only folder: keep using the shared file
    }
  }
  return own;
}
