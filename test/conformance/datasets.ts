import { readFileSync } from 'node:fs';
import { generateRecords, type GenerateOptions, type Preset } from '../../src/demo/generator.js';
import { DEFAULT_LOG_GROUP, type StoredEvent } from '../../src/logs/event.js';
import { normalizeBedrockRecord, normalizeLogEvent } from '../../src/logs/record.js';
import { Store } from '../../src/store/store.js';
import { EventWriter } from '../../src/store/writer.js';
import { DATASETS_DIR, datasetPath, toMillis } from './paths.js';
import type { BedrockLine, GeneratedDataset, GenericLine } from './types.js';

/** Parse one .jsonl data set line into a normalised event (or null for a comment line). */
export function lineToEvent(line: unknown, where: string): StoredEvent | null {
  if (typeof line !== 'object' || line === null || Array.isArray(line))
    throw new Error(`${where}: expected a JSON object`);
  const o = line as Record<string, unknown>;
  if ('comment' in o && Object.keys(o).length === 1) return null;
  if ('bedrock' in o) {
    const b = o as unknown as BedrockLine;
    const res = normalizeBedrockRecord(b.bedrock, {
      logGroup: b.logGroup ?? DEFAULT_LOG_GROUP,
      ...(b.ingestionTime !== undefined ? { ingestionTime: toMillis(b.ingestionTime, where) } : {}),
    });
    if (!res.ok)
      throw new Error(
        `${where}: the Bedrock record was rejected by normalizeBedrockRecord: ${res.reason}${res.field ? ` (${res.field})` : ''}`,
      );
    if (b.ingestionTime === undefined) {
      // Deterministic @ingestionTime: the record's own time (the default would be "now").
      return { ...res.event, ingestionTime: res.event.timestamp };
    }
    return res.event;
  }
  const g = o as unknown as GenericLine;
  if (
    typeof g.logGroup !== 'string' ||
    typeof g.logStream !== 'string' ||
    g.timestamp === undefined ||
    g.message === undefined
  ) {
    throw new Error(`${where}: a generic event needs logGroup, logStream, timestamp and message`);
  }
  const timestamp = toMillis(g.timestamp, where);
  const message = typeof g.message === 'string' ? g.message : JSON.stringify(g.message);
  return normalizeLogEvent({
    logGroup: g.logGroup,
    logStream: g.logStream,
    timestamp,
    message,
    ingestionTime: g.ingestionTime !== undefined ? toMillis(g.ingestionTime, where) : timestamp,
  });
}

/** The demo generator's records for a preset (the `guide` data set of the seed queries). */
export function demoRecords(spec: Extract<GeneratedDataset, { kind: 'demo' }>): Iterable<unknown> {
  const opts: GenerateOptions = { preset: spec.preset as Preset };
  if (spec.records !== undefined) opts.records = spec.records;
  if (spec.days !== undefined) opts.days = spec.days;
  if (spec.seed !== undefined) opts.seed = spec.seed;
  if (spec.end !== undefined) opts.end = toMillis(spec.end, 'demo dataset end');
  return generateRecords(opts);
}

/** Read a data set and normalise every event through the real ingest contract. */
export async function loadDatasetEvents(name: string): Promise<StoredEvent[]> {
  const path = datasetPath(name);
  if (!path) throw new Error(`data set ${name} not found in ${DATASETS_DIR}`);
  if (path.endsWith('.gen.json')) {
    const spec = JSON.parse(readFileSync(path, 'utf8')) as GeneratedDataset;
    if (spec.kind === 'sequence') {
      const start = toMillis(spec.start, path);
      const events: StoredEvent[] = [];
      for (let i = 0; i < spec.count; i++) {
        const timestamp = start + i * spec.stepMs;
        events.push(
          normalizeLogEvent({
            logGroup: spec.logGroup,
            logStream: spec.logStream,
            timestamp,
            ingestionTime: timestamp,
            message: spec.messageTemplate.replaceAll('{i}', String(i)),
          }),
        );
      }
      return events;
    }
    const events: StoredEvent[] = [];
    let i = 0;
    for (const r of demoRecords(spec)) {
      const res = normalizeBedrockRecord(r, { logGroup: DEFAULT_LOG_GROUP, ingestionTime: 0 });
      if (!res.ok) throw new Error(`${name}: generated record ${i} rejected: ${res.reason}`);
      events.push({ ...res.event, ingestionTime: res.event.timestamp });
      i++;
    }
    return events;
  }
  const events: StoredEvent[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (!text.trim()) return;
      const where = `${name}.jsonl:${i + 1}`;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new Error(`${where}: invalid JSON: ${(e as Error).message}`, { cause: e });
      }
      const ev = lineToEvent(parsed, where);
      if (ev) events.push(ev);
    });
  return events;
}

/** An in-memory store holding the data set, written through EventWriter (the real ingest path). */
export async function openDatasetStore(name: string): Promise<{ store: Store; events: StoredEvent[] }> {
  const events = await loadDatasetEvents(name);
  const store = await Store.open(':memory:');
  try {
    const writer = new EventWriter(store);
    const BATCH = 5000;
    let stored = 0;
    for (let i = 0; i < events.length; i += BATCH) stored += (await writer.append(events.slice(i, i + BATCH))).stored;
    if (stored !== events.length)
      throw new Error(`${name}: EventWriter stored ${stored} of ${events.length} events (duplicates in the data set?)`);
  } catch (e) {
    store.close();
    throw e;
  }
  return { store, events };
}
