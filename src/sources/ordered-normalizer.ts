import type { TextContext, RecordText } from './normalize-text.js';
import {
  PartReader,
  TextPartBuilder,
  normalizeHere,
  type NormalizedPart,
  type PartRow,
  type RowReader,
} from './normalized-part.js';
import { NormalizerThread } from './normalizer-thread.js';

/** Characters of record text in a part (sent to the thread, or normalised here). */
const PART_CHARS = 1024 * 1024;
/**
 * Parts the thread may have to do: a part completed while it has this many is normalised on the
 * main thread instead, which would otherwise wait for it. On two cores the thread alone was
 * slower than the reading (it shares them with the main thread and DuckDB): S3 layout 12.0-12.3 s,
 * the main thread waiting ~30% of the time; sharing, 10.1-10.5 s. 4, 8, 12, 16 and 24 measured
 * alike within the machine's noise; 8 holds less.
 */
const THREAD_BACKLOG = 8;
/** Parts waiting to be applied before the reader waits for the oldest. */
const MAX_PARTS = 16;

/** A part of the record texts, normalised by the thread or here, and its events once back. */
interface Part {
  /** Settles when the part is back (never rejects: a failure is kept in `error`). */
  ready: Promise<void>;
  reader?: RowReader;
  error?: unknown;
  /** Sent to the thread (not normalised here). */
  remote: boolean;
}

/** What the owner does with each queued step, in order: a record's row (and its line), or anything else. */
export interface Apply {
  row(row: PartRow, line: number): void | Promise<void>;
}

/**
 * Record texts normalised on a NormalizerThread, with everything else the reader did kept in
 * order around them. `add` queues a record; `later` queues any other step (a rejection, a note,
 * a file begun or ended), or runs it at once when nothing is queued; `drain` applies the queue
 * from its head as far as the parts are back. So the owner (the chunk writer) sees the same
 * sequence as without the thread: a rejection or a file's checkpoint lands between the same
 * records, and chunks end at the same rows.
 */
export class OrderedNormalizer {
  private readonly thread = new NormalizerThread();
  /** Steps not applied yet: a number is an added record (its line), a function anything else. */
  private ops: (number | (() => void))[] = [];
  private head = 0;
  private out: TextPartBuilder | undefined;
  private parts: Part[] = [];

  constructor(private readonly ctx: TextContext) {}

  /** Steps queued, records and others. */
  get queued(): number {
    return this.ops.length - this.head;
  }

  /** Whether a turn of the event loop may bring a part back. */
  get waiting(): boolean {
    return this.parts.length > 0;
  }

  add(r: RecordText, line: number): void {
    (this.out ??= new TextPartBuilder(this.ctx)).add(r);
    this.ops.push(line);
  }

  later(op: () => void): void {
    if (this.head < this.ops.length) this.ops.push(op);
    else op();
  }

  /**
   * After each add: sends a full part, and says whether drain has something to do now (the
   * oldest part is back, or so many are out that the reader should wait for it).
   */
  due(): boolean {
    if (this.out && this.out.chars >= PART_CHARS) this.send();
    const first = this.parts[0];
    return (
      first !== undefined && (first.reader !== undefined || first.error !== undefined || this.parts.length > MAX_PARTS)
    );
  }

  /**
   * Applies the queued steps in order, as far as the parts are back (`all`: sends what is left
   * and waits for every part). Waits for the oldest part when more than MAX_PARTS are out. A
   * part that failed throws its error (INGEST_THREAD_FAILED).
   */
  async drain(apply: Apply, all: boolean): Promise<void> {
    if (all) this.send(this.parts.length > 0);
    while (this.head < this.ops.length) {
      const op = this.ops[this.head];
      if (typeof op === 'function') {
        this.head++;
        op();
        continue;
      }
      const part = this.parts[0];
      if (!part) break; // its text is not sent yet
      if (!part.reader && part.error === undefined) {
        if (!all && this.parts.length <= MAX_PARTS) break;
        await part.ready;
      }
      if (!part.reader) throw part.error;
      const row = part.reader.read();
      if (part.reader.done) this.parts.shift();
      this.head++;
      await apply.row(row, op);
    }
    if (this.head === this.ops.length) {
      this.ops = [];
      this.head = 0;
    } else if (this.head > 65_536) {
      this.ops.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Forgets what is queued (the ingest is failing). */
  discard(): void {
    this.ops = [];
    this.head = 0;
    this.out = undefined;
    this.parts = [];
  }

  /** Stops the thread (after discard or a full drain). */
  close(): Promise<void> {
    return this.thread.close();
  }

  /**
   * Sends the texts not sent yet to the thread, or normalises them here when the thread has
   * THREAD_BACKLOG parts to do (`here`: whatever it has; the reader is done and waits anyway).
   */
  private send(here = false): void {
    const out = this.out;
    this.out = undefined;
    if (!out || out.size === 0) return;
    const backlog = this.parts.filter((p) => p.remote && !p.reader && p.error === undefined).length;
    if (here || backlog >= THREAD_BACKLOG) {
      this.parts.push({ ready: Promise.resolve(), reader: normalizeHere(out.build()), remote: false });
      return;
    }
    const part: Part = { ready: Promise.resolve(), remote: true };
    part.ready = this.thread.normalize(out.build()).then(
      (p: NormalizedPart) => {
        part.reader = new PartReader(p, this.ctx.logGroup);
      },
      (e: unknown) => {
        part.error = e;
      },
    );
    this.parts.push(part);
  }
}
