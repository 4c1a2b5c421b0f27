import { parentPort } from 'node:worker_threads';
import { normalizePart, transferables, type TextPart } from './normalized-part.js';

/**
 * The normaliser thread of normalizer-thread.ts: normalises the record texts of each part it is
 * sent (normalizePart: the same normalizeText the chunk writer runs inline), in order, and posts
 * the events back column-wise. It holds no state: terminating it loses nothing but its parts.
 */
const port = parentPort;
if (!port) throw new Error('normalize-worker.ts runs only as a worker thread (normalizer-thread.ts starts it).');
port.on('message', (msg: { id: number; part: TextPart }) => {
  try {
    const part = normalizePart(msg.part);
    port.postMessage({ id: msg.id, part }, transferables(part));
  } catch (e) {
    port.postMessage({ id: msg.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
