import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  type CloudWatchLogsClientConfig,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Store } from '../store/store.js';
import { BiError } from '../util/errors.js';
import { ChunkWriter, newTotals } from './chunk-writer.js';
import { readCloudWatchCheckpoint, saveCloudWatchCheckpoint, type CloudWatchCheckpoint } from './checkpoints.js';
import type { IngestSummary } from './ingest.js';
import { IngestPricer, closeSummary, openSummary } from './ingest-pricing.js';
import { DEFAULT_LOG_STREAM } from '../logs/event.js';
import { awsClientConfig, awsError, type AwsClientOptions, type AwsIngestOptions } from './s3.js';
import { stripBodiesText } from '../logs/strip-text.js';

/**
 * How far below the newest event time each run reads again (ms). CloudWatch orders events by their
 * own timestamp, and Bedrock's arrive minutes after it (the guide: 2–5 minutes), so an event can
 * appear below a time already read; the event ids seen in this window keep the re-read from storing
 * anything twice. An event later than this is missed: raise it (--overlap) for slower sources.
 */
export const DEFAULT_OVERLAP_MS = 15 * 60 * 1000;

/** `cloudwatch://LOG_GROUP` → the group name (`cloudwatch:///aws/bedrock/modelinvocations` keeps the leading slash). */
export function parseCloudWatchUrl(url: string): string {
  const m = /^cloudwatch:\/\/(.+)$/.exec(url);
  if (!m)
    throw new BiError(
      'INVALID_ARGUMENT',
      `"${url}" is not a CloudWatch log group; write it as cloudwatch://LOG_GROUP (for example cloudwatch:///aws/bedrock/modelinvocations).`,
    );
  return m[1];
}

export function makeCloudWatchClient(o: AwsClientOptions & { maxAttempts?: number }): CloudWatchLogsClient {
  const cfg: CloudWatchLogsClientConfig = awsClientConfig(o);
  if (o.maxAttempts) cfg.maxAttempts = o.maxAttempts;
  return new CloudWatchLogsClient(cfg);
}

/** `logGroup` defaults to the remote group's name. */
export interface CloudWatchIngestOptions extends AwsIngestOptions {
  overlapMs?: number;
  /** Where the first run starts (ms; default: the beginning of the group). */
  startTime?: number;
  /** FilterLogEvents page size (1–10,000; default: the service's). */
  pageLimit?: number;
  client?: CloudWatchLogsClient;
}

/** The checkpoint's name for a source: the same group through another endpoint or region is another source. */
export function cloudWatchSourceId(group: string, o: AwsClientOptions, localGroup: string): string {
  return `cloudwatch://${group}|${o.endpointUrl ?? o.region ?? process.env.AWS_REGION ?? ''}|${localGroup}`;
}

export interface CloudWatchIngestSummary extends IngestSummary {
  /** Events seen again in the overlap window and skipped by id. */
  eventsAlreadyRead: number;
  /** Highest event time read so far (ms), or null when the group is empty. */
  highTs: number | null;
}

/**
 * Copies the events of a CloudWatch log group into the store with FilterLogEvents, from the last
 * checkpoint minus the overlap window, page by page. Each page commits (events, then the ids read),
 * so a run interrupted anywhere is completed by the next, which skips the ids already read: events
 * committed before their ids were are offered again and absorbed by the store's dedup (requestId).
 */
export async function ingestCloudWatch(
  store: Store,
  url: string,
  opts: CloudWatchIngestOptions = {},
  onProgress?: (events: number) => void,
): Promise<CloudWatchIngestSummary> {
  const started = Date.now();
  const group = parseCloudWatchUrl(url);
  const localGroup = opts.logGroup ?? group;
  const overlapMs = opts.overlapMs ?? DEFAULT_OVERLAP_MS;
  const client = opts.client ?? makeCloudWatchClient(opts);
  const source = cloudWatchSourceId(group, opts, localGroup);
  const totals = newTotals(opts.onReject);
  const summary: CloudWatchIngestSummary = {
    ...openSummary(totals),
    eventsAlreadyRead: 0,
    highTs: null,
  };
  const conn = await store.connect();
  let pricer: IngestPricer;
  try {
    pricer = await IngestPricer.start(store, conn);
    const { cp: old, seen } = await readCloudWatchCheckpoint(conn, source);
    const cp: CloudWatchCheckpoint = old ?? { source, logGroup: localGroup, highTs: -1, events: 0, updatedTs: 0 };
    const startTime = old && old.highTs >= 0 ? Math.max(0, old.highTs - overlapMs) : opts.startTime;
    // The high-water time moves only when a run completes: pages are saved (events, then the ids
    // read) as they go, but if FilterLogEvents ever returned an older event on a later page, a run
    // interrupted before it must not have moved the start of the next run past it.
    let runHigh = cp.highTs;
    const w = await ChunkWriter.create(
      conn,
      {
        logGroup: localGroup,
        defaultStream: DEFAULT_LOG_STREAM,
        keepBodies: opts.keepBodies ?? false,
        strict: opts.strict ?? false,
        afterStore: pricer.afterChunk,
      },
      totals,
    );
    w.beginFile(url);
    let token: string | undefined;
    let n = 0;
    do {
      let page;
      try {
        page = await client.send(
          new FilterLogEventsCommand({ logGroupName: group, startTime, nextToken: token, limit: opts.pageLimit }),
        );
      } catch (e) {
        throw awsError(e, `read the log group ${group}`);
      }
      const fresh: { id: string; ts: number }[] = [];
      const storedBefore = totals.stored;
      for (const ev of page.events ?? []) {
        n++;
        const id = eventIdOf(ev);
        if (typeof ev.timestamp === 'number' && ev.timestamp > runHigh) runHigh = ev.timestamp;
        if (seen.has(id)) {
          summary.eventsAlreadyRead++;
          continue;
        }
        seen.add(id);
        summary.recordsRead++;
        const ts = ev.timestamp;
        if (typeof ts !== 'number' || typeof ev.message !== 'string') {
          w.reject(n, 'CloudWatch event without timestamp or message', 'timestamp');
          continue;
        }
        summary.bytesRead += Buffer.byteLength(ev.message);
        const text = ev.message.trim();
        w.add(n, opts.keepBodies ? text : stripBodiesText(text), ts, ev.ingestionTime, ev.logStreamName || undefined);
        fresh.push({ id, ts });
      }
      await w.flush();
      if (fresh.length > 0) {
        cp.events += totals.stored - storedBefore;
        cp.updatedTs = Date.now();
        await saveCloudWatchCheckpoint(conn, cp, fresh, overlapMs);
      }
      onProgress?.(summary.recordsRead);
      token = page.nextToken;
    } while (token);
    if (runHigh > cp.highTs) {
      cp.highTs = runHigh;
      cp.updatedTs = Date.now();
      await saveCloudWatchCheckpoint(conn, cp, [], overlapMs);
    }
    summary.highTs = cp.highTs >= 0 ? cp.highTs : null;
  } finally {
    try {
      conn.closeSync();
    } catch {
      /* already closed */
    }
  }
  return closeSummary(summary, totals, pricer, started);
}

/** CloudWatch's event id; for a server that sends none, the event's coordinates stand in. */
function eventIdOf(ev: FilteredLogEvent): string {
  return (
    ev.eventId ?? `${ev.logStreamName ?? ''}/${ev.timestamp ?? ''}/${ev.ingestionTime ?? ''}/${ev.message?.length ?? 0}`
  );
}
