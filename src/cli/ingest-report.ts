import { closeSync, openSync, writeSync } from 'node:fs';
import type { IngestSummary, RejectedRecord } from '../sources/ingest.js';
import { BiError, errorMessage } from '../util/errors.js';
import { formatCount } from './progress.js';
import { EXIT, setExitCode } from './exit.js';

/** Rejections printed on the terminal; the rest go to `--rejects FILE`. */
export const REJECTS_SHOWN = 10;
const NOTES_SHOWN = 10;

/**
 * `ingest --rejects FILE`: every rejection as a JSON line `{"file","line","reason","field"?}`, as
 * the ingest makes them (the summary keeps only the first 1000). The file is replaced.
 */
export class RejectsFile {
  private fd: number;
  private buf: string[] = [];
  count = 0;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw new BiError(
        'INVALID_ARGUMENT',
        `Cannot write the rejects file ${path} (${errorMessage(e)}). Give a path in a folder you may write to.`,
      );
    }
  }

  readonly add = (r: RejectedRecord): void => {
    this.count++;
    this.buf.push(JSON.stringify(r));
    if (this.buf.length >= 1000) this.flush();
  };

  private flush(): void {
    if (this.buf.length === 0) return;
    writeSync(this.fd, this.buf.join('\n') + '\n');
    this.buf = [];
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** The summary lines of what an ingest did besides storing (conflicts, symbolic links). */
export function extraSummaryLines(s: IngestSummary): string[] {
  const out: string[] = [];
  if (s.conflicts > 0)
    out.push(
      `conflicts:           ${formatCount(s.conflicts)} of the duplicates differ from the record kept (the first stored); see below`,
    );
  if (s.links.followed + s.links.skipped > 0)
    out.push(
      `symbolic links:      ${formatCount(s.links.followed)} followed, ${formatCount(s.links.skipped)} skipped (their target was already read, or a loop)`,
    );
  return out;
}

/**
 * On stderr: the first rejections (and where the rest are), notes on files, conflict examples;
 * then the exit status: 1 when --strict saw a rejection, or when nothing was stored and
 * something was rejected (a run that only failed must not look like success to a script).
 */
export function reportIngestIssues(s: IngestSummary, o: { strict: boolean; rejects?: RejectsFile }): void {
  const err = (t: string): void => void process.stderr.write(t + '\n');
  if (s.recordsRejected > 0) {
    const shown = s.rejected.slice(0, REJECTS_SHOWN);
    const more = s.recordsRejected - shown.length;
    const where = o.rejects ? `all of them in ${o.rejects.path}` : 'ingest --rejects FILE writes them all';
    err(
      `rejected records${more > 0 ? ` (first ${shown.length} of ${formatCount(s.recordsRejected)}; ${where})` : ''}:`,
    );
    for (const r of shown) err(`  ${r.file}:${r.line}: ${r.reason}`);
  }
  if (s.notes.length > 0) {
    err('notes:');
    for (const n of s.notes.slice(0, NOTES_SHOWN)) err(`  ${n.file}: ${n.note}`);
    if (s.notes.length > NOTES_SHOWN) err(`  … and ${formatCount(s.notes.length - NOTES_SHOWN)} more`);
  }
  if (s.conflicts > 0) {
    err(
      `conflicts (the same requestId with other content; the record stored first was kept)${s.conflicts > s.conflictExamples.length ? `, the first ${s.conflictExamples.length} of ${formatCount(s.conflicts)}` : ''}:`,
    );
    for (const c of s.conflictExamples) err(`  ${c.file}:${c.line}: ${c.eventKey} differs in ${c.fields.join(', ')}`);
  }
  if (o.strict && s.recordsRejected > 0) setExitCode(EXIT.FAILED);
  if (s.recordsStored === 0 && s.recordsRejected > 0) {
    err(`nothing was stored and ${formatCount(s.recordsRejected)} records were rejected: exit status 1`);
    setExitCode(EXIT.FAILED);
  }
}
