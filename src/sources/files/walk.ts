import { closeSync, openSync, readSync, readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { BiError, errorMessage } from '../../util/errors.js';
import { looksLikeRecords } from '../records.js';

export interface InputFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** A file or folder found but not readable (reported like a bad record, line 0, and skipped). */
export interface PathProblem {
  path: string;
  reason: string;
}

export interface Discovery {
  files: InputFile[];
  problems: PathProblem[];
  /** Symbolic links inside the folders: followed, and skipped because their target was already read (loops included). */
  links: { followed: number; skipped: number };
  /** Files inside the folders that were not read: no log extension, and their first bytes are not records. */
  notLogs: string[];
}

/** Bedrock writes this zero-byte object under BedrockModelInvocationLogs/ when S3 logging is set up. */
export const PERMISSION_MARKER = 'amazon-bedrock-logs-permission-check';
/** CloudWatch's CreateExportTask writes this object ("Permission Check Successful") beside an export. */
export const EXPORT_MARKER = 'aws-logs-write-test';
const LOG_FILE = /\.(jsonl|ndjson|json)(\.gz)?$|\.gz$/i;

/** A marker object of the delivery layouts: never records. */
export function isMarker(name: string): boolean {
  return name === PERMISSION_MARKER || name === EXPORT_MARKER;
}

/** The first bytes of a file (an unreadable file reads as nothing: it is then reported as not a log). */
function head(path: string, bytes = 256): Buffer {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(bytes);
    return b.subarray(0, readSync(fd, b, 0, bytes, 0));
  } catch {
    return Buffer.alloc(0);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A file inside a folder is read when its name says log, or its first bytes look like records. */
function isLogFile(path: string, name: string): boolean {
  return LOG_FILE.test(name) || looksLikeRecords(head(path));
}

/**
 * The files to read: each path that is a file (whatever its name), and under each folder,
 * recursively, in name order, the .jsonl/.ndjson/.json/.gz files and the files whose first bytes
 * look like records (the others are listed in `notLogs`, for the summary). Skipped inside folders:
 * the permission-check and export markers and the `data/` folders of the S3 delivery layout (`…/HH/data/`, the
 * offloaded bodies, read only through --keep-bodies), and hidden entries. Symbolic links are
 * followed (to files and folders); a file or folder reached twice, by links or overlapping paths,
 * is read once (by its real path), so link loops end. A folder or file that cannot be listed or
 * looked at is a problem reported for it, and the rest is read (campaign F5).
 */
export function discoverFiles(paths: string[]): Discovery {
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();
  const out: Discovery = { files: [], problems: [], links: { followed: 0, skipped: 0 }, notLogs: [] };
  const problem = (path: string, what: string, e: unknown): void => {
    out.problems.push({ path, reason: `cannot read the ${what}: ${errorMessage(e)}` });
  };
  /** Adds a file by the path it was named by; false when its real file was already added. */
  const addFile = (p: string, real: string, st: Stats): boolean => {
    if (seenFiles.has(real)) return false;
    seenFiles.add(real);
    out.files.push({ path: p, size: st.size, mtimeMs: Math.trunc(st.mtimeMs) });
    return true;
  };
  const walk = (dir: string, realDir: string): void => {
    if (seenDirs.has(realDir)) return;
    seenDirs.add(realDir);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      return problem(dir, 'folder', e);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      const isData = e.name === 'data' && /^\d{2}$/.test(basename(dir));
      if (e.isDirectory()) {
        if (!isData) walk(p, join(realDir, e.name));
      } else if (e.isFile()) {
        if (isMarker(e.name)) continue;
        if (!isLogFile(p, e.name)) {
          out.notLogs.push(p);
          continue;
        }
        try {
          addFile(p, join(realDir, e.name), statSync(p));
        } catch (err) {
          problem(p, 'file', err); // gone since the folder was listed
        }
      } else if (e.isSymbolicLink()) {
        followLink(p, e.name, isData);
      }
    }
  };
  const followLink = (p: string, name: string, isData: boolean): void => {
    let st: Stats;
    let real: string;
    try {
      st = statSync(p);
      real = realpathSync(p);
    } catch (err) {
      // A dangling link: reported when it looks like a log file, counted otherwise.
      if (LOG_FILE.test(name)) problem(p, 'file (a symbolic link)', err);
      else out.links.skipped++;
      return;
    }
    if (st.isDirectory()) {
      if (isData) return;
      if (seenDirs.has(real)) out.links.skipped++;
      else {
        out.links.followed++;
        walk(p, real);
      }
    } else if (st.isFile() && !isMarker(name)) {
      if (!isLogFile(p, name)) out.notLogs.push(p);
      else if (addFile(p, real, st)) out.links.followed++;
      else out.links.skipped++;
    }
  };
  for (const raw of paths) {
    const p = resolve(raw);
    let st: Stats;
    let real: string;
    try {
      st = statSync(p);
      real = realpathSync(p);
    } catch {
      throw new BiError(
        'INGEST_PATH_NOT_FOUND',
        `No such file or folder: ${raw}. Give the path of a log file or of a folder of logs (for example the AWSLogs/ folder of an S3 download).`,
        { path: raw },
      );
    }
    if (st.isDirectory()) walk(p, real);
    else if (!isMarker(basename(p))) addFile(p, real, st);
  }
  return out;
}
