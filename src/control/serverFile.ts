import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { serverFilePath } from './server-path.js';

/**
 * `<store>.server.json`: written by a server (serve, demo) while it holds the store, so that the
 * CLI's commands on that store can run through it instead of failing on DuckDB's lock. It names
 * the process, the loopback port and the control token (mode 0600: the token lets its holder run
 * commands on the store, like the file itself). Per store, not per folder: two stores in one
 * folder have two servers. Removed when the server stops; one whose process is gone (kill -9) is
 * stale, ignored and removed by the next reader.
 */
const ServerFileSchema = z.object({
  pid: z.number().int().positive(),
  port: z.number().int().min(1).max(65535),
  token: z.string().min(16),
  store: z.string(),
  startedAt: z.string(),
});
export type ServerFile = z.infer<typeof ServerFileSchema>;

export { serverFilePath };

export function newControlToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Writes the file for this process; returns the function that removes it (only if still ours). */
export function writeServerFile(dbPath: string, port: number, token: string): () => void {
  const path = serverFilePath(dbPath);
  const info: ServerFile = { pid: process.pid, port, token, store: dbPath, startedAt: new Date().toISOString() };
  // Written whole, then renamed: a reader never sees half a file (and would remove it as stale).
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return () => {
    const now = readServerFile(path);
    if (now?.pid === process.pid && now.token === token) rmSync(path, { force: true });
  };
}

function readServerFile(path: string): ServerFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = ServerFileSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // a file cut short by a crash while it was written: as good as none
  }
}

/** Whether a process with this id runs (EPERM: it runs as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The server that holds this store, if one runs. A file whose process is gone, or that cannot be
 * read as one, is removed: it would otherwise send every later command to a dead port.
 */
export function liveServer(dbPath: string): ServerFile | undefined {
  if (dbPath === ':memory:') return undefined;
  const path = serverFilePath(dbPath);
  const info = readServerFile(path);
  if (info && info.pid !== process.pid && alive(info.pid)) return info;
  if (info?.pid === process.pid) return undefined;
  try {
    rmSync(path, { force: true });
  } catch {
    /* another reader removed it first, or the folder is read-only: it is ignored either way */
  }
  return undefined;
}
