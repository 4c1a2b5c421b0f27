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

  constructor(private readonly out: NodeJS.WriteStream = process.stderr, private readonly width = 28) {
    this.enabled = Boolean(out.isTTY);
  }

  update(s: ProgressState, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const frac = s.total > 0 ? Math.min(1, s.done / s.total) : 0;
    const full = Math.round(frac * this.width);
    const bar = '█'.repeat(full) + '░'.repeat(this.width - full);
    const line = `${bar} ${String(Math.floor(frac * 100)).padStart(3)}%  ${s.detail}`;
    const cols = this.out.columns ?? 100;
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
