import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  type CloudWatchLogsClientConfig,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Store } from '../../store/store.js';
import { BiError } from '../../util/errors.js';
import { awsClientConfig, awsError, awsIngestOptionsOf, type AwsClientOptions, type AwsIngestOptions } from '../aws.js';
import { readCloudWatchCheckpoint, saveCloudWatchCheckpoint, type CloudWatchCheckpoint } from '../checkpoints.js';
import { ingest, type IngestProgress } from '../driver.js';
import type { ItemRead, ListContext, Listing, RecordSink, Source, SourceAdapter, SourceItem } from '../source.js';
import type { IngestSummary } from '../summary.js';

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

/** A page of FilterLogEvents: its events not read before. */
interface Page extends SourceItem {
  events: FilteredLogEvent[];
  /** Ids of the page's new events, saved once their records are committed. */
  fresh: { id: string; ts: number }[];
  /** The number of the page's first event in this run (a record's "line"). */
  first: number;
}

/**
 * A CloudWatch log group, read with FilterLogEvents from the last checkpoint minus the overlap
 * window, page by page. An item is a page; its checkpoint is its own (`cw_checkpoints`,
 * `cw_seen_events`): after the page's records are committed, the ids read are saved, so a run
 * interrupted anywhere is completed by the next, which skips the ids already read (events
 * committed before their ids were are offered again and absorbed by the store's dedup). @timestamp,
 * @ingestionTime and @logStream are the event's.
 */
export class CloudWatchSource implements Source<Page> {
  readonly unit = 'pages';
  // Page checkpoints are written on the driver's connection between chunks.
  readonly pipeline = false;
  readonly logGroup: string;
  readonly group: string;
  private readonly client: CloudWatchLogsClient;
  private readonly overlapMs: number;
  private readonly id: string;
  private cp: CloudWatchCheckpoint | undefined;
  private runHigh = -1;
  /** Events seen again in the overlap window and skipped by id. */
  eventsAlreadyRead = 0;

  constructor(
    readonly url: string,
    private readonly opts: CloudWatchIngestOptions = {},
  ) {
    this.group = parseCloudWatchUrl(url);
    this.logGroup = opts.logGroup ?? this.group;
    this.overlapMs = opts.overlapMs ?? DEFAULT_OVERLAP_MS;
    this.client = opts.client ?? makeCloudWatchClient(opts);
    this.id = cloudWatchSourceId(this.group, opts, this.logGroup);
  }

  /** Highest event time read so far (ms), or null when nothing was read. */
  get highTs(): number | null {
    return this.cp && this.cp.highTs >= 0 ? this.cp.highTs : null;
  }

  async list(ctx: ListContext): Promise<Listing<Page>> {
    const { cp: old, seen } = await readCloudWatchCheckpoint(ctx.conn, this.id);
    const cp: CloudWatchCheckpoint = old ?? {
      source: this.id,
      logGroup: this.logGroup,
      highTs: -1,
      events: 0,
      updatedTs: 0,
    };
    this.cp = cp;
    // The high-water time moves only when a run completes: pages are saved (events, then the ids
    // read) as they go, but if FilterLogEvents ever returned an older event on a later page, a run
    // interrupted before it must not have moved the start of the next run past it.
    this.runHigh = cp.highTs;
    const startTime = old && old.highTs >= 0 ? Math.max(0, old.highTs - this.overlapMs) : this.opts.startTime;
    return { items: this.pages(startTime, seen) };
  }

  private async *pages(startTime: number | undefined, seen: Set<string>): AsyncGenerator<Page> {
    let token: string | undefined;
    let n = 0;
    do {
      let page;
      try {
        page = await this.client.send(
          new FilterLogEventsCommand({
            logGroupName: this.group,
            startTime,
            nextToken: token,
            limit: this.opts.pageLimit,
          }),
        );
      } catch (e) {
        throw awsError(e, `read the log group ${this.group}`);
      }
      const events: FilteredLogEvent[] = [];
      const fresh: { id: string; ts: number }[] = [];
      let size = 0;
      const first = n + 1;
      for (const ev of page.events ?? []) {
        n++;
        const id = eventIdOf(ev);
        if (typeof ev.timestamp === 'number' && ev.timestamp > this.runHigh) this.runHigh = ev.timestamp;
        if (seen.has(id)) {
          this.eventsAlreadyRead++;
          continue;
        }
        seen.add(id);
        events.push(ev);
        size += Buffer.byteLength(ev.message ?? '');
        if (typeof ev.timestamp === 'number' && typeof ev.message === 'string') fresh.push({ id, ts: ev.timestamp });
      }
      yield { name: this.url, size, events, fresh, first };
      token = page.nextToken;
    } while (token);
  }

  async read(page: Page, sink: RecordSink): Promise<ItemRead> {
    let n = page.first - 1;
    for (const ev of page.events) {
      n++;
      if (typeof ev.timestamp !== 'number' || typeof ev.message !== 'string') {
        sink.reject(n, 'CloudWatch event without timestamp or message', 'timestamp');
        continue;
      }
      sink.add(n, ev.message.trim(), ev.timestamp, ev.ingestionTime, ev.logStreamName || undefined);
      // A page larger than a chunk commits in parts; its ids are saved after its last part, so a
      // run killed between parts offers the committed events again, and the dedup absorbs them.
      await sink.afterAdd();
    }
    return { records: page.events.length, complete: true };
  }

  async committed(page: Page, conn: DuckDBConnection, stored: number): Promise<void> {
    const cp = this.cp!;
    if (page.fresh.length === 0) return;
    cp.events += stored;
    cp.updatedTs = Date.now();
    await saveCloudWatchCheckpoint(conn, cp, page.fresh, this.overlapMs);
  }

  async finish(conn: DuckDBConnection): Promise<void> {
    const cp = this.cp!;
    if (this.runHigh > cp.highTs) {
      cp.highTs = this.runHigh;
      cp.updatedTs = Date.now();
      await saveCloudWatchCheckpoint(conn, cp, [], this.overlapMs);
    }
  }
}

export const cloudWatchAdapter: SourceAdapter = {
  kind: 'CloudWatch log group',
  example: 'cloudwatch://LOG_GROUP',
  takesOverlap: true,
  accepts: (url) => url.startsWith('cloudwatch://'),
  canonical(url) {
    parseCloudWatchUrl(url);
    return url;
  },
  open: (cfg) =>
    new CloudWatchSource(cfg.url, {
      ...awsIngestOptionsOf(cfg),
      ...(cfg.overlapMinutes !== undefined ? { overlapMs: cfg.overlapMinutes * 60_000 } : {}),
    }),
};

/**
 * `ingest cloudwatch://…` alone: the CloudWatch adapter through the one driver (with the
 * adapter's own figures: events skipped by id, the high-water time).
 */
export async function ingestCloudWatch(
  store: Store,
  url: string,
  opts: CloudWatchIngestOptions = {},
  onProgress?: (p: IngestProgress) => void,
): Promise<CloudWatchIngestSummary> {
  const source = new CloudWatchSource(url, opts);
  const s = await ingest(store, [source], opts, onProgress);
  return { ...s, eventsAlreadyRead: source.eventsAlreadyRead, highTs: source.highTs };
}

/** CloudWatch's event id; for a server that sends none, the event's coordinates stand in. */
function eventIdOf(ev: FilteredLogEvent): string {
  return (
    ev.eventId ?? `${ev.logStreamName ?? ''}/${ev.timestamp ?? ''}/${ev.ingestionTime ?? ''}/${ev.message?.length ?? 0}`
  );
}
