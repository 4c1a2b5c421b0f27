import { readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { BiError } from '../util/errors.js';

export interface InputFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** Bedrock writes this zero-byte object under BedrockModelInvocationLogs/ when S3 logging is set up. */
export const PERMISSION_MARKER = 'amazon-bedrock-logs-permission-check';
const LOG_FILE = /\.(jsonl|ndjson|json)(\.gz)?$|\.gz$/i;

/**
 * The files to read: each path that is a file (whatever its name), and under each folder,
 * recursively, the .jsonl/.ndjson/.json/.gz files in name order. Skipped inside folders: the
 * permission-check marker and the `data/` folders of the S3 delivery layout (`…/HH/data/`, the
 * offloaded bodies, read only through --keep-bodies), and hidden entries. A file named twice
 * (overlapping paths) is read once.
 */
export function discoverFiles(paths: string[]): InputFile[] {
  const seen = new Set<string>();
  const out: InputFile[] = [];
  const addFile = (p: string, size: number, mtimeMs: number): void => {
    if (seen.has(p)) return;
    seen.add(p);
    out.push({ path: p, size, mtimeMs: Math.trunc(mtimeMs) });
  };
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name === 'data' && /^\d{2}$/.test(basename(dir))) continue;
        walk(p);
      } else if (e.isFile() && e.name !== PERMISSION_MARKER && LOG_FILE.test(e.name)) {
        const st = statSync(p);
        addFile(p, st.size, st.mtimeMs);
      }
    }
  };
  for (const raw of paths) {
    const p = resolve(raw);
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new BiError(
        'INGEST_PATH_NOT_FOUND',
        `No such file or folder: ${raw}. Give the path of a log file or of a folder of logs (for example the AWSLogs/ folder of an S3 download).`,
        { path: raw },
      );
    }
    if (st.isDirectory()) walk(p);
    else if (basename(p) !== PERMISSION_MARKER) addFile(p, st.size, st.mtimeMs);
  }
  return out;
}
