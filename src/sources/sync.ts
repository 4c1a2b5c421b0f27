import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { Store } from '../store/store.js';
import { perStoreFile } from '../util/store-files.js';
import { BiError, errorMessage } from '../util/errors.js';
import { ingest } from './driver.js';
import { filesAdapter } from './files/source.js';
import { adapterFor, canonicalSourceUrl, openSource } from './registry.js';
import type { SourceConfig } from './source.js';

export type { SourceConfig } from './source.js';

export interface SyncConfig {
  /** Seconds between polls (default 60). */
  intervalSeconds: number;
  sources: SourceConfig[];
}

export const DEFAULT_INTERVAL_SECONDS = 60;
/** Backoff after throttling or a failure doubles up to this (ms). */
export const MAX_BACKOFF_MS = 15 * 60 * 1000;

/** The store's own sources file, `<store>.sources.json` (see perStoreFile: per store, not per folder). */
export function sourcesPath(dbPath: string): string {
  return perStoreFile(dbPath, 'sources.json', 'sources.json');
}

export function loadSyncConfig(path: string): SyncConfig {
  if (!existsSync(path)) return { intervalSeconds: DEFAULT_INTERVAL_SECONDS, sources: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new BiError(
      'CONFIG_INVALID',
      `${path} is not valid JSON (${errorMessage(e)}); fix it or remove it and add the sources again with "npx bedrock-insights sync add".`,
    );
  }
  const o = raw as { intervalSeconds?: unknown; sources?: unknown };
  if (typeof o !== 'object' || o === null || !Array.isArray(o.sources)) {
    throw new BiError('CONFIG_INVALID', `${path} must be {"intervalSeconds": 60, "sources": [{"url": "s3://…"}]}.`);
  }
  const interval = o.intervalSeconds === undefined ? DEFAULT_INTERVAL_SECONDS : Number(o.intervalSeconds);
  if (!Number.isFinite(interval) || interval < 1)
    throw new BiError('CONFIG_INVALID', `${path}: intervalSeconds must be a number of seconds ≥ 1.`);
  const sources = o.sources.map((s, i): SourceConfig => {
    const e = s as Record<string, unknown>;
    if (typeof e !== 'object' || e === null || typeof e.url !== 'string')
      throw new BiError(
        'CONFIG_INVALID',
        `${path}: sources[${i}] needs a "url" (s3://…, cloudwatch://… or a folder's path).`,
      );
    if (adapterFor(e.url) !== filesAdapter) canonicalSourceUrl(e.url);
    else if (!isAbsolute(e.url))
      throw new BiError('CONFIG_INVALID', `${path}: sources[${i}].url: a folder is kept by its absolute path.`);
    for (const k of ['region', 'endpointUrl', 'logGroup'] as const) {
      if (e[k] !== undefined && typeof e[k] !== 'string')
        throw new BiError('CONFIG_INVALID', `${path}: sources[${i}].${k} must be a string.`);
    }
    if (
      e.overlapMinutes !== undefined &&
      !(typeof e.overlapMinutes === 'number' && Number.isInteger(e.overlapMinutes) && e.overlapMinutes >= 0)
    ) {
      throw new BiError(
        'CONFIG_INVALID',
        `${path}: sources[${i}].overlapMinutes must be a whole number of minutes ≥ 0.`,
      );
    }
    return {
      url: e.url,
      ...(typeof e.region === 'string' ? { region: e.region } : {}),
      ...(typeof e.endpointUrl === 'string' ? { endpointUrl: e.endpointUrl } : {}),
      ...(typeof e.logGroup === 'string' ? { logGroup: e.logGroup } : {}),
      ...(e.keepBodies === true ? { keepBodies: true } : {}),
      ...(typeof e.overlapMinutes === 'number' ? { overlapMinutes: e.overlapMinutes } : {}),
    };
  });
  return { intervalSeconds: interval, sources };
}

export function saveSyncConfig(path: string, cfg: SyncConfig): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(cfg, null, 2) + '\n');
  renameSync(tmp, path);
}

/**
 * Adds (or replaces, same URL) a source in the config file; returns the new config. The URL is
 * checked by its adapter and kept as it says (a folder by its absolute path).
 */
export function addSource(path: string, given: SourceConfig): SyncConfig {
  const src = { ...given, url: canonicalSourceUrl(given.url) };
  const cfg = loadSyncConfig(path);
  cfg.sources = cfg.sources.filter((s) => s.url !== src.url);
  cfg.sources.push(src);
  saveSyncConfig(path, cfg);
  return cfg;
}

export function removeSource(path: string, url: string): boolean {
  const cfg = loadSyncConfig(path);
  const before = cfg.sources.length;
  cfg.sources = cfg.sources.filter((s) => s.url !== url);
  if (cfg.sources.length === before) return false;
  saveSyncConfig(path, cfg);
  return true;
}

export interface SourceRunResult {
  url: string;
  ok: boolean;
  stored: number;
  read: number;
  error?: string;
  throttled?: boolean;
  elapsedMs: number;
}

/**
 * How often a sync loop lists an S3 source in full; the polls between list only recent hour
 * folders (ingestS3's `listing: 'recent'`), so a poll costs a few requests, not a listing of
 * every object ever delivered.
 */
export const FULL_LISTING_EVERY_MS = 24 * 3600_000;

/** Reads one source once (incrementally), through its adapter and the one driver. `listing` applies to S3 sources (default 'full'). */
export async function syncSource(
  store: Store,
  src: SourceConfig,
  listing: 'full' | 'recent' = 'full',
): Promise<SourceRunResult> {
  const t0 = Date.now();
  try {
    const s = await ingest(store, [openSource(src, { listing })], { keepBodies: src.keepBodies ?? false });
    return { url: src.url, ok: true, stored: s.recordsStored, read: s.recordsRead, elapsedMs: Date.now() - t0 };
  } catch (e) {
    const msg = errorMessage(e);
    return {
      url: src.url,
      ok: false,
      stored: 0,
      read: 0,
      error: msg,
      throttled: isThrottling(e),
      elapsedMs: Date.now() - t0,
    };
  }
}

/** Throttling and overload answers of AWS (and S3-compatible stores): wait longer before asking again. */
export function isThrottling(e: unknown): boolean {
  const aws = e instanceof BiError ? String(e.details.awsError ?? '') : ((e as { name?: string }).name ?? '');
  const text = `${aws} ${errorMessage(e)}`;
  return /Throttl|TooManyRequests|SlowDown|RequestLimitExceeded|ServiceUnavailable|LimitExceeded/i.test(text);
}

export interface SyncStatus {
  /** One line, for a terminal or a log: what each source did last and when it runs next. */
  line: string;
  results: SourceRunResult[];
}

export interface SyncLoopOptions {
  intervalMs: number;
  onStatus?: (s: SyncStatus) => void;
  /** Called after each pass (tests, pricing hooks). */
  afterPass?: (results: SourceRunResult[]) => Promise<void> | void;
  /** Run the first pass at once (default) or only after the first interval (tests drive it with runNow). */
  immediate?: boolean;
}

export interface SyncLoop {
  /** Resolves once the pass in progress (if any) has finished. */
  stop(): Promise<void>;
  /** Runs a pass now (waits for one in progress first). */
  runNow(): Promise<SourceRunResult[]>;
}

/**
 * Polls the sources: one pass reads each due source in turn; a source that was throttled or failed
 * waits twice as long each time (up to MAX_BACKOFF_MS) and returns to the interval after a success.
 * Passes never overlap.
 */
export function startSyncLoop(store: Store, sources: () => SourceConfig[], o: SyncLoopOptions): SyncLoop {
  const backoff = new Map<string, { until: number; delay: number }>();
  const lastFull = new Map<string, number>(); // url -> when its last full listing succeeded
  let running: Promise<SourceRunResult[]> | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;

  const pass = async (): Promise<SourceRunResult[]> => {
    const results: SourceRunResult[] = [];
    for (const src of sources()) {
      if (stopped) break;
      const b = backoff.get(src.url);
      if (b && Date.now() < b.until) continue;
      const full = Date.now() - (lastFull.get(src.url) ?? -Infinity) >= FULL_LISTING_EVERY_MS;
      const r = await syncSource(store, src, full ? 'full' : 'recent');
      if (r.ok && full) lastFull.set(src.url, Date.now());
      results.push(r);
      if (r.ok) backoff.delete(src.url);
      else {
        const delay = Math.min(MAX_BACKOFF_MS, b ? b.delay * 2 : o.intervalMs * (r.throttled ? 2 : 1));
        backoff.set(src.url, { until: Date.now() + delay, delay });
      }
    }
    await o.afterPass?.(results);
    o.onStatus?.({ line: statusLine(results, backoff, o.intervalMs), results });
    return results;
  };
  const runNow = async (): Promise<SourceRunResult[]> => {
    while (running) await running;
    running = pass().finally(() => {
      running = null;
    });
    return running;
  };
  // The timer keeps the process alive (the sync command has nothing else pending); stop() clears it.
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void runNow()
        .catch(() => undefined)
        .finally(schedule);
    }, o.intervalMs);
  };
  if (o.immediate === false) schedule();
  else
    void runNow()
      .catch(() => undefined)
      .finally(schedule);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      while (running) await running.catch(() => undefined);
    },
    runNow,
  };
}

export function statusLine(
  results: SourceRunResult[],
  backoff: Map<string, { until: number; delay: number }>,
  intervalMs: number,
): string {
  const at = new Date().toISOString().slice(11, 19);
  const parts = results.map((r) => {
    if (r.ok) return `${r.url}: +${r.stored} stored (${r.read} read, ${(r.elapsedMs / 1000).toFixed(1)} s)`;
    const b = backoff.get(r.url);
    return `${r.url}: ${r.throttled ? 'throttled' : 'failed'} (${r.error}); retry in ${Math.round((b?.delay ?? intervalMs) / 1000)} s`;
  });
  const waiting = [...backoff.entries()]
    .filter(([u]) => !results.some((r) => r.url === u))
    .map(([u, b]) => `${u}: backing off until ${new Date(b.until).toISOString().slice(11, 19)}`);
  const all = [...parts, ...waiting];
  return `[sync ${at}Z] ${all.length ? all.join(' | ') : 'no sources configured (npx bedrock-insights sync add s3://… | cloudwatch://… | ./folder)'}; next poll in ${Math.round(intervalMs / 1000)} s`;
}
