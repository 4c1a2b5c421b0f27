import type { Command } from 'commander';
import { resolve } from 'node:path';
import { DEFAULT_OVERLAP_MS } from '../../sources/cloudwatch/source.js';
import { INGEST_MEMORY_LIMIT } from '../../sources/ingest.js';
import { adapterFor } from '../../sources/registry.js';
import {
  addSource,
  loadSyncConfig,
  removeSource,
  sourcesPath,
  startSyncLoop,
  syncSource,
  DEFAULT_INTERVAL_SECONDS,
} from '../../sources/sync.js';
import { BiError, errorMessage } from '../../util/errors.js';
import type { ServerOptions } from '../../api/server.js';
import type { Store } from '../../store/store.js';
import { wholeNumber } from '../flags.js';
import { EXIT, setExitCode } from '../exit.js';
import { dbOption } from '../options.js';
import { untilSignal } from '../signals.js';
import { storePathFor, withStore } from '../store.js';

/** The --overlap option of `ingest` and `sync add` (CloudWatch sources). */
export const OVERLAP_OPTION = [
  '--overlap <minutes>',
  `cloudwatch:// sources: re-read this many minutes before the last event read, for events delivered late (default ${DEFAULT_OVERLAP_MS / 60_000})`,
] as const;

/**
 * `serve --sync`: runs the sync loop on the server's own store (one DuckDB instance per file),
 * started with the server and stopped before it closes. Sources are re-read from the store's sources.json at
 * each poll, so `sync add` takes effect without a restart.
 */
export function backgroundSyncMount(dbPath: string, intervalSeconds?: number): NonNullable<ServerOptions['mount']> {
  return (app, ctx) => {
    const cfgPath = sourcesPath(dbPath);
    const interval = intervalSeconds ?? loadSyncConfig(cfgPath).intervalSeconds;
    const sources = () => {
      try {
        return loadSyncConfig(cfgPath).sources;
      } catch (e) {
        process.stderr.write(`[sync] ${errorMessage(e)}\n`);
        return [];
      }
    };
    const loop = startSyncLoop(ctx.store, sources, {
      intervalMs: interval * 1000,
      onStatus: (s) => process.stdout.write(s.line + '\n'),
    });
    app.addHook('onClose', async () => {
      await loop.stop();
    });
  };
}

export function registerSync(program: Command): void {
  const sync = program
    .command('sync')
    .description('Keep the store current from configured S3 / CloudWatch / local folder sources (polls; Ctrl-C stops).')
    .addOption(dbOption('create'))
    .option(
      '--interval <seconds>',
      `seconds between polls (default: sources.json "intervalSeconds", else ${DEFAULT_INTERVAL_SECONDS})`,
    )
    .option('--once', 'read each source once and exit (exit status 1 if one failed)', false)
    .addHelpText(
      'after',
      `
Sources are kept per store, in <store>.sources.json (store.duckdb.sources.json):
  npx bedrock-insights sync add s3://my-bucket/AWSLogs/ --region us-east-1
  npx bedrock-insights sync add cloudwatch:///aws/bedrock/modelinvocations --region us-east-1
  npx bedrock-insights sync add ./AWSLogs      # a local folder, e.g. the target of aws s3 sync
  npx bedrock-insights sync list
  npx bedrock-insights sync              # poll every minute; one status line per poll
  npx bedrock-insights serve --sync      # the same, in the background of the console
Throttled or failing sources back off (doubling, up to 15 minutes) and recover by themselves.
S3 sources are listed in full on the first poll and once a day; the polls between list only the
last hours' folders, so a bucket with years of logs costs a few requests per poll. A local folder
is walked at each poll and only new or changed files are read (by path, size and mtime).
AWS credentials and region come from the usual places (environment, profile, SSO, instance role).`,
    )
    .action(async (o: { db?: string; interval?: string; once: boolean }) => {
      const dbPath = storePathFor(o, 'create');
      const cfgPath = sourcesPath(dbPath);
      const cfg = loadSyncConfig(cfgPath);
      if (cfg.sources.length === 0)
        throw new BiError(
          'NO_SOURCES',
          `No sources configured in ${cfgPath}. Add one: npx bedrock-insights sync add s3://BUCKET/PREFIX (or cloudwatch://LOG_GROUP, or ./FOLDER).`,
        );
      const interval = o.interval === undefined ? cfg.intervalSeconds : Number(o.interval);
      if (!Number.isFinite(interval) || interval < 1)
        throw new BiError('INVALID_ARGUMENT', `--interval ${o.interval}: use a number of seconds, 1 or more.`);
      const poll = (store: Store): Promise<void> => pollSources(store, cfg, cfgPath, interval, o.once);
      try {
        await withStore({ db: dbPath }, 'create', poll, { memoryLimit: INGEST_MEMORY_LIMIT });
      } catch (e) {
        if (e instanceof BiError && e.code === 'STORE_LOCKED') {
          throw new BiError(
            'STORE_LOCKED',
            `${e.message} If it is "bedrock-insights serve", restart it with --sync to sync in the background.`,
          );
        }
        throw e;
      }
    });
  sync
    .command('add')
    .description('Add (or update) a source: s3://BUCKET/PREFIX, cloudwatch://LOG_GROUP or a local folder')
    .argument('<url>')
    .addOption(dbOption('create'))
    .option('--region <region>', 'AWS region of the source')
    .option('--endpoint-url <url>', 'an S3-compatible or CloudWatch Logs-compatible endpoint')
    .option('--log-group <name>', 'local log group to store into')
    .option('--keep-bodies', 'keep request and response bodies (prompts!)', false)
    .option(...OVERLAP_OPTION)
    .action(
      (
        url: string,
        o: {
          db?: string;
          region?: string;
          endpointUrl?: string;
          logGroup?: string;
          keepBodies: boolean;
          overlap?: string;
        },
      ) => {
        const overlap = wholeNumber('--overlap', o.overlap);
        if (overlap !== undefined && !adapterFor(url).takesOverlap)
          throw new BiError(
            'INVALID_ARGUMENT',
            '--overlap applies to cloudwatch:// sources only (S3 objects and files are found by listing).',
          );
        const path = sourcesPath(storePathFor({ db: o.db ?? sync.opts<{ db?: string }>().db }, 'create'));
        const cfg = addSource(path, {
          url,
          ...(o.region ? { region: o.region } : {}),
          ...(o.endpointUrl ? { endpointUrl: o.endpointUrl } : {}),
          ...(o.logGroup ? { logGroup: o.logGroup } : {}),
          ...(o.keepBodies ? { keepBodies: true } : {}),
          ...(overlap !== undefined ? { overlapMinutes: overlap } : {}),
        });
        const added = cfg.sources[cfg.sources.length - 1].url;
        process.stdout.write(
          `added ${added} to ${path} (${cfg.sources.length} source${cfg.sources.length === 1 ? '' : 's'})\n`,
        );
      },
    );
  sync
    .command('list')
    .description('List the configured sources')
    .addOption(dbOption('create'))
    .action((o: { db?: string }) => {
      const path = sourcesPath(storePathFor({ db: o.db ?? sync.opts<{ db?: string }>().db }, 'create'));
      const cfg = loadSyncConfig(path);
      if (cfg.sources.length === 0) process.stdout.write(`no sources in ${path}\n`);
      for (const s of cfg.sources)
        process.stdout.write(
          `${s.url}${s.region ? `  region=${s.region}` : ''}${s.endpointUrl ? `  endpoint=${s.endpointUrl}` : ''}${s.logGroup ? `  log-group=${s.logGroup}` : ''}${s.keepBodies ? '  keep-bodies' : ''}${s.overlapMinutes !== undefined ? `  overlap=${s.overlapMinutes}m` : ''}\n`,
        );
    });
  sync
    .command('remove')
    .description('Remove a source')
    .argument('<url>')
    .addOption(dbOption('create'))
    .action((url: string, o: { db?: string }) => {
      const path = sourcesPath(storePathFor({ db: o.db ?? sync.opts<{ db?: string }>().db }, 'create'));
      if (!removeSource(path, url) && !removeSource(path, resolve(url)))
        throw new BiError('NOT_FOUND', `${url} is not in ${path} (see: npx bedrock-insights sync list).`);
      process.stdout.write(`removed ${url}\n`);
    });
}

/** `sync --once` (each source once) or the loop until Ctrl-C, on the open store. */
async function pollSources(
  store: Store,
  cfg: ReturnType<typeof loadSyncConfig>,
  cfgPath: string,
  interval: number,
  once: boolean,
): Promise<void> {
  if (once) {
    let failed = false;
    for (const src of cfg.sources) {
      const r = await syncSource(store, src);
      failed ||= !r.ok;
      process.stdout.write(
        r.ok
          ? `${r.url}: +${r.stored} stored (${r.read} read, ${(r.elapsedMs / 1000).toFixed(1)} s)\n`
          : `${r.url}: ${r.throttled ? 'throttled' : 'failed'}: ${r.error}\n`,
      );
    }
    if (failed) setExitCode(EXIT.FAILED);
    return;
  }
  process.stdout.write(
    `syncing ${cfg.sources.length} source${cfg.sources.length === 1 ? '' : 's'} from ${cfgPath} every ${interval} s into ${store.path}; Ctrl-C stops\n`,
  );
  const loop = startSyncLoop(store, () => loadSyncConfig(cfgPath).sources, {
    intervalMs: interval * 1000,
    onStatus: (s) => process.stdout.write(s.line + '\n'),
  });
  await untilSignal(() => loop.stop());
}
