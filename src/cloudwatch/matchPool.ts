import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { BiError } from '../util/errors.js';
import { startModuleThread } from '../util/threads.js';
import type { EmitJob, EmitJobResult, Job, JobResult, MatchJob, MatchJobResult } from './matchJobs.js';
import { deadlineError, FILTER_MATCH_FAILED } from './filterErrors.js';

/**
 * Filter-pattern matching off the event loop: a few worker threads (matchWorker.ts) run the jobs
 * of matchJobs.ts, one at a time each, in arrival order. Every job carries a deadline; a job
 * still queued or running then is dropped and its thread terminated (a thread busy in a loop
 * cannot be interrupted any other way) and replaced on the next job. So however costly a
 * pattern, the API, the console and SIGTERM keep being served, and the request ends with a
 * coded error (FILTER_DEADLINE) after the deadline at the latest.
 *
 * A thread's boot (loading its modules, slow at its low priority on a loaded machine) does not
 * count against the deadline of the job it was started for. Threads start on the first job and
 * are unref'd while idle, so an idle pool never keeps a process alive; close() terminates them.
 */

export interface Deadline {
  /** Epoch ms by which the job must have answered. */
  at: number;
  /** The limit as configured, for the error message. */
  ms: number;
}

interface Pending {
  id: number;
  job: Job;
  /** Moved later by the boot of the thread that runs it (see spawn). */
  deadline: Deadline;
  resolve: (r: JobResult) => void;
  reject: (e: unknown) => void;
  timer?: NodeJS.Timeout;
}

interface Slot {
  worker: Worker | null;
  busy: Pending | null;
  /** When the thread was started; null once it said it is ready. */
  booting: number | null;
}

type Reply =
  | { ready: true }
  | { id: number; ok: true; result: JobResult }
  | { id: number; ok: false; code: string; message: string };

/** A thread that has not loaded its modules by then is not coming: its job ends by its deadline. */
const BOOT_LIMIT_MS = 60_000;

function startWorker(): Worker {
  return startModuleThread(import.meta.url, 'matchWorker');
}

export class MatchPool {
  private readonly slots: Slot[];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(size = Math.max(1, Math.min(2, availableParallelism()))) {
    this.slots = Array.from({ length: size }, () => ({ worker: null, busy: null, booting: null }));
  }

  match(job: Omit<MatchJob, 'kind'>, deadline: Deadline): Promise<MatchJobResult> {
    return this.run({ kind: 'match', ...job }, deadline) as Promise<MatchJobResult>;
  }

  emit(job: Omit<EmitJob, 'kind'>, deadline: Deadline): Promise<EmitJobResult> {
    return this.run({ kind: 'emit', ...job }, deadline) as Promise<EmitJobResult>;
  }

  run(job: Job, deadline: Deadline): Promise<JobResult> {
    if (this.closed)
      return Promise.reject(new BiError(FILTER_MATCH_FAILED, 'The server is shutting down; retry the request.'));
    return new Promise<JobResult>((resolve, reject) => {
      const p: Pending = { id: this.nextId++, job, deadline, resolve, reject };
      p.timer = setTimeout(() => this.expire(p), Math.max(0, deadline.at - Date.now()));
      this.queue.push(p);
      this.pump();
    });
  }

  /** Threads currently started (for tests: a terminated thread is replaced). */
  get threads(): number {
    return this.slots.filter((s) => s.worker !== null).length;
  }

  /**
   * Answers every job with the shutdown error and terminates the threads without waiting for
   * them: a thread runs at a lower priority, and on a loaded machine its teardown can wait long
   * for the CPU (a stop once took 79 s under load 16); the process does not need it to end first.
   */
  close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0))
      this.fail(p, new BiError(FILTER_MATCH_FAILED, 'The server is shutting down.'));
    for (const s of this.slots) {
      if (s.busy) this.fail(s.busy, new BiError(FILTER_MATCH_FAILED, 'The server is shutting down.'));
      s.busy = null;
      const w = s.worker;
      s.worker = null;
      if (w) {
        w.unref();
        void w.terminate();
      }
    }
    return Promise.resolve();
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.busy) continue;
      const p = this.queue.shift()!;
      slot.busy = p;
      const w = slot.worker ?? this.spawn(slot);
      w.ref();
      w.postMessage({ id: p.id, job: p.job });
    }
  }

  private spawn(slot: Slot): Worker {
    const w = startWorker();
    slot.worker = w;
    slot.booting = Date.now();
    w.on('message', (m: Reply) => {
      if (slot.worker !== w) return;
      if ('ready' in m) {
        // A new thread loads its modules at a low priority: on a loaded machine that took longer
        // than a 3 s deadline, and a trivial job after a replaced thread failed with
        // FILTER_DEADLINE. The job that waited for the boot gets that time back.
        const boot = Date.now() - (slot.booting ?? Date.now());
        slot.booting = null;
        const p = slot.busy;
        if (p && boot > 0) {
          if (p.timer) clearTimeout(p.timer);
          p.deadline = { ...p.deadline, at: p.deadline.at + boot };
          p.timer = setTimeout(() => this.expire(p), Math.max(0, p.deadline.at - Date.now()));
        }
        return;
      }
      if (!slot.busy || slot.busy.id !== m.id) return;
      const p = slot.busy;
      slot.busy = null;
      w.unref();
      if (p.timer) clearTimeout(p.timer);
      if (m.ok) p.resolve(m.result);
      else p.reject(new BiError(m.code, m.message));
      this.pump();
    });
    const lost = (why: string): void => {
      if (slot.worker !== w) return;
      slot.worker = null;
      const p = slot.busy;
      slot.busy = null;
      if (p) this.fail(p, new BiError(FILTER_MATCH_FAILED, `The matching thread stopped (${why}); retry the request.`));
      this.pump();
    };
    w.on('error', (e) => lost(e.message));
    w.on('exit', (code) => lost(`exit code ${code}`));
    return w;
  }

  private expire(p: Pending): void {
    const slot = this.slots.find((s) => s.busy === p);
    if (slot && slot.booting !== null && Date.now() - slot.booting < BOOT_LIMIT_MS) {
      // Its thread is still loading: the deadline counts from when it is ready (see spawn).
      p.timer = setTimeout(() => this.expire(p), 100);
      return;
    }
    const queued = this.queue.indexOf(p);
    if (queued >= 0) this.queue.splice(queued, 1);
    if (slot) {
      const w = slot.worker;
      slot.worker = null;
      slot.busy = null;
      if (w) void w.terminate();
    }
    if (queued >= 0 || slot) this.fail(p, deadlineError(p.deadline.ms));
    this.pump();
  }

  private fail(p: Pending, e: unknown): void {
    if (p.timer) clearTimeout(p.timer);
    p.reject(e);
  }
}

let shared: MatchPool | undefined;

/**
 * The pool of callers that are not one API (the alarms' metric filters): created on first use,
 * never closed (its threads are unref'd while idle, so it keeps no process alive).
 */
export function sharedMatchPool(): MatchPool {
  shared ??= new MatchPool();
  return shared;
}

/** How the alarms send events to the matching threads: per chunk of events, a budget and a deadline. */
export const alarmMatchLimits = { chunk: 5_000, budgetBytes: 256 * 1024 * 1024, deadlineMs: 30_000 } as const;
