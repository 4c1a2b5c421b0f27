import type { Worker } from 'node:worker_threads';
import { BiError } from '../util/errors.js';
import { startModuleThread } from '../util/threads.js';
import { textTransferables, type NormalizedPart, type TextPart } from './normalized-part.js';

/** Parts and records sent to normaliser threads in this process (tests check the thread was used). */
export const threadUse = { parts: 0, records: 0 };

type Reply = { id: number; part: NormalizedPart } | { id: number; error: string };

interface Waiting {
  resolve: (p: NormalizedPart) => void;
  reject: (e: unknown) => void;
}

/**
 * A thread that normalises record texts (normalize-worker.ts) while the main thread reads the
 * next ones and stages events into DuckDB: a file or S3 ingest spent ~35 µs of its main thread on
 * each record, parsing and normalising (half of it), and DuckDB stored the chunk before on a
 * second core meanwhile only part of the time. Parts are answered in the order they are sent.
 *
 * While parts are outstanding the thread keeps the process alive; idle, it does not (unref'd).
 * A thread that fails (an exception, out of memory, killed) fails every outstanding part with
 * INGEST_THREAD_FAILED, and the ingest stops there: what was committed stays, and the next run
 * reads the rest again.
 */
export class NormalizerThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private failure: BiError | undefined;
  private closing = false;

  constructor() {
    this.worker = startModuleThread(import.meta.url, 'normalize-worker');
    this.worker.unref();
    this.worker.on('message', (m: Reply) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) this.worker.unref();
      if ('part' in m) w.resolve(m.part);
      else w.reject(threadFailed(m.error));
    });
    this.worker.on('error', (e) => this.fail(e.message));
    this.worker.on('exit', (code) => this.fail(`it exited (code ${code})`));
  }

  /** Normalises a part's texts on the thread. */
  normalize(part: TextPart): Promise<NormalizedPart> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    threadUse.parts++;
    threadUse.records += part.raws.length;
    const p = new Promise<NormalizedPart>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    if (this.waiting.size === 1) this.worker.ref();
    this.worker.postMessage({ id, part }, textTransferables(part));
    return p;
  }

  /** Stops the thread; outstanding parts fail (the ingest is over or failing). */
  async close(): Promise<void> {
    this.closing = true;
    this.fail('the ingest stopped');
    await this.worker.terminate();
  }

  private fail(why: string): void {
    if (this.closing) why = 'the ingest stopped';
    this.worker.unref();
    this.failure ??= threadFailed(why);
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
  }
}

function threadFailed(why: string): BiError {
  return new BiError(
    'INGEST_THREAD_FAILED',
    `The thread normalising records failed: ${why}. What was committed stays; run the ingest again to read the rest. If it fails again, set BEDROCK_INSIGHTS_INGEST_THREADS=0 to normalise on the main thread, and report the error.`,
  );
}
