/**
 * A one-line terminal progress bar on stderr. It prints nothing at all when stderr is not a
 * TTY (pipes, CI logs, tests), so redirected output stays clean.
 */
export interface ProgressState {
  done: number;
  total: number;
  /** Shown after the bar, e.g. "3/10 files  120,000 records  45,000/s". */
  detail: string;
}

export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;
  readonly enabled: boolean;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly width = 28,
  ) {
    this.enabled = Boolean(out.isTTY);
  }

  update(s: ProgressState, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    // No total (a CloudWatch log group is read page by page): the counts alone, no bar.
    let line = s.detail;
    if (s.total > 0) {
      const frac = Math.min(1, s.done / s.total);
      const full = Math.round(frac * this.width);
      line = `${'█'.repeat(full)}${'░'.repeat(this.width - full)} ${String(Math.floor(frac * 100)).padStart(3)}%  ${s.detail}`;
    }
    const cols = this.out.columns || 100; // 0 on a terminal without a size (script, some CI ptys)
    this.out.write(`\r${line.slice(0, Math.max(10, cols - 1))}\x1b[K`);
    this.drawn = true;
  }

  /** Clears the bar, leaving the line free for the summary. */
  done(): void {
    if (this.enabled && this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * The detail every ingest shows: "3/10 files  120,000 records  45,000/s" (the files part only
 * when there are files; `unit` names them, `noun` the records).
 */
export function ingestDetail(
  p: { records: number; filesDone?: number; filesTotal?: number; unit?: string; noun?: string },
  startedMs: number,
): string {
  const secs = Math.max(0.001, (Date.now() - startedMs) / 1000);
  const files =
    p.filesTotal !== undefined
      ? `${formatCount(p.filesDone ?? 0)}/${formatCount(p.filesTotal)} ${p.unit ?? 'files'}  `
      : '';
  return `${files}${formatCount(p.records)} ${p.noun ?? 'records'}  ${formatCount(p.records / secs)}/s`;
}
