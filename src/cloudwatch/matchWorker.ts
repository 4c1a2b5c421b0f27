import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { isBiError } from '../util/errors.js';
import { runJob, type Job } from './matchJobs.js';

/**
 * A matching thread of matchPool.ts: runs one job at a time and answers with its result or a
 * coded error. It holds no state but the compiled-pattern cache, so the pool may terminate it
 * at any moment (a deadline) and start another.
 */
const port = parentPort;
if (!port) throw new Error('matchWorker.ts runs only as a worker thread (matchPool.ts starts it).');
// Matching is background work next to answering requests: on Linux, setpriority(0) applies to
// the calling thread only, so this thread yields the CPU to the event loop and DuckDB's threads.
// (Elsewhere it would lower the whole process, so it is left alone.)
if (process.platform === 'linux') {
  try {
    setPriority(10);
  } catch {
    /* not permitted: keep the default priority */
  }
}
port.on('message', (msg: { id: number; job: Job }) => {
  try {
    port.postMessage({ id: msg.id, ok: true, result: runJob(msg.job) });
  } catch (e) {
    port.postMessage({
      id: msg.id,
      ok: false,
      code: isBiError(e) ? e.code : 'FILTER_MATCH_FAILED',
      message: e instanceof Error ? e.message : String(e),
    });
  }
});
// Booted (modules loaded): the pool does not count the boot against the first job's deadline.
port.postMessage({ ready: true });
