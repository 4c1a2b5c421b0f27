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
