import type { Command } from 'commander';
import { DEFAULT_LOG_GROUP } from '../../logs/event.js';
import { DEMO_DEFAULT_DAYS, DEMO_DEFAULT_RECORDS, DEFAULT_SEED } from '../../demo/generator.js';
import { defaultDemoDataDir, ensureDemoData } from '../../demo/demoData.js';
import { formatSummary, summarizeStore } from '../../demo/summary.js';
import { DEMO_ACCOUNT } from '../../demo/world.js';
import { ingestPaths, type IngestSummary } from '../../sources/ingest.js';
import { filesRead, unchanged } from '../../sources/checkpoints.js';
import { discoverFiles } from '../../sources/files/walk.js';
import type { Store } from '../../store/store.js';
import { withDb } from '../../store/db.js';
import { deleteEvents } from '../../store/events.js';
import { BiError, errorMessage } from '../../util/errors.js';
import { formatWriteSummary, progressLine } from './generate.js';
import { wholeNumber } from '../flags.js';
import { dbOption } from '../options.js';
import { openInBrowser } from '../open-url.js';
import { packageFile } from '../package-info.js';
import { storePathFor, withStore } from '../store.js';
import { serveUntilStopped, serverOptionsFrom } from './serve.js';

interface DemoFlags {
  db?: string;
  /** commander's --no-serve sets serve=false. */
  serve?: boolean;
  /** commander's --no-open sets open=false. */
  open?: boolean;
  port?: string;
  host?: string;
  data?: string;
  records?: string;
  days?: string;
  seed?: string;
}

export interface DemoRun {
  dbPath: string;
  dataDir: string;
}

/**
 * Generate (if needed) and ingest the demo data, then print a summary from the store.
 * Returns where things are, so a caller can go on (the console, once it exists: see registerDemo).
 */
export async function runDemo(flags: DemoFlags): Promise<DemoRun> {
  const dbPath = storePathFor(flags, 'create');
  const dataDir = flags.data ?? defaultDemoDataDir(dbPath);
  const params = {
    records: wholeNumber('--records', flags.records) ?? DEMO_DEFAULT_RECORDS,
    days: wholeNumber('--days', flags.days) ?? DEMO_DEFAULT_DAYS,
    seed: flags.seed ?? DEFAULT_SEED,
  };
  const out = (s: string) => process.stdout.write(`${s}\n`);

  const gen = progressLine('Generating demo data:');
  const { generated, manifest, dataFile, replaced } = await ensureDemoData(dataDir, params, (p) =>
    gen.update(p.records, p.total),
  );
  gen.done();
  if (replaced)
    out(
      `The demo data in ${dataDir} ended ${new Date(replaced.endMs).toISOString().slice(0, 16)}Z, more than a day ago: generated it again to end now, and it replaces the old demo records in the store.`,
    );
  out(
    generated
      ? formatWriteSummary(manifest.summary)
      : `Demo data already in ${dataDir} (${manifest.records.toLocaleString('en-US')} records, seed ${manifest.seed}); reusing it.`,
  );

  await withStore({ db: dbPath }, 'create', async (store) => {
    if (manifest.replaces) await removeReplacedDemoRecords(store, manifest.replaces, dataFile);
    const ing = progressLine('Ingesting:');
    let result: IngestSummary;
    try {
      // The data file only: the folder also holds the manifest, which is not a log record.
      result = await ingestPaths(store, [dataFile], {}, (p) => ing.update(p.records, manifest.records));
    } catch (e) {
      if (/not implemented/i.test(errorMessage(e))) {
        throw new BiError(
          'NOT_IMPLEMENTED',
          `The demo data is ready in ${dataDir}, but ingest is not available in this build yet.`,
        );
      }
      throw e;
    } finally {
      ing.done();
    }
    out(
      `Ingested into ${dbPath}: ${result.recordsStored.toLocaleString('en-US')} new records, ${result.duplicatesSkipped.toLocaleString('en-US')} already there, ${result.filesSkipped.toLocaleString('en-US')} unchanged files skipped, ${result.recordsRejected} rejected.`,
    );
    const s = await summarizeStore(store, {
      accountId: DEMO_ACCOUNT,
      startMs: manifest.endMs - manifest.days * 86_400_000,
      endMs: manifest.endMs,
    });
    out('');
    out('Demo data in the store:');
    out(formatSummary(s));
    out('');
    out(
      `Try: npx bedrock-insights query --db ${dbPath} -f ${packageFile('queries/bedrock/q02-tokens-by-application.insights')} --since ${manifest.days}d`,
    );
  });
  return { dbPath, dataDir };
}

/**
 * Removes the records of the aged demo data set a regenerated one replaces: the demo account's
 * events in its window, in the group demo ingests into (111122223333 is AWS's example account, in
 * no real log). Only while the new data file is not ingested yet: afterwards the window holds the
 * new records too. Without this, the new set (new request ids) would double the overlap.
 */
async function removeReplacedDemoRecords(
  store: Store,
  old: { endMs: number; days: number },
  dataFile: string,
): Promise<void> {
  const [file] = discoverFiles([dataFile]).files; // the path and stat ingest checks it by
  if (unchanged(await filesRead(store, DEFAULT_LOG_GROUP, file.path), file.path, file.size, file.mtimeMs)) return;
  // The store's one delete: the catalog's counts and the roll-ups follow the removed records.
  await withDb(store, (db) =>
    deleteEvents(store, db, {
      logGroup: DEFAULT_LOG_GROUP,
      accountId: DEMO_ACCOUNT,
      range: { from: old.endMs - old.days * 86_400_000, to: old.endMs },
    }),
  );
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Generate the demo data set (once), ingest it into the store, print a summary and serve the console.')
    .addOption(dbOption('create'))
    .option('--data <dir>', 'where the demo data is generated (default: demo-data next to the store)')
    .option('--records <n>', `records to generate (default ${DEMO_DEFAULT_RECORDS.toLocaleString('en-US')})`)
    .option('--days <d>', `days covered, ending now (default ${DEMO_DEFAULT_DAYS})`)
    .option('--seed <s>', 'generator seed (default 1)')
    .option('--port <port>', 'port of the console (default 8080; 0 picks a free one)', '8080')
    .option('--host <host>', 'address the console binds (default 127.0.0.1)', '127.0.0.1')
    .option('--no-serve', 'only load the data and print the summary; do not start the console')
    .option('--no-open', 'do not open the console in a browser (it opens only from a terminal)')
    .addHelpText(
      'after',
      `
Then it serves the console over that store (like \`npx bedrock-insights serve\`) until Ctrl-C, and opens
it in the default browser when run from a terminal (not with --no-open).
Running demo again reuses the generated data (same parameters) and ingests nothing twice; data
that ended more than a day ago is generated again to end now, replacing the old demo records.
Examples:
  npx bedrock-insights demo                                  # then open http://127.0.0.1:8080/
  npx bedrock-insights demo --db /tmp/demo.duckdb --records 20000 --no-serve`,
    )
    .action(async (flags: DemoFlags) => {
      const run = await runDemo(flags);
      if (flags.serve === false) return;
      process.stdout.write('\n');
      const { opts, banner } = serverOptionsFrom({
        db: run.dbPath,
        port: flags.port ?? '8080',
        host: flags.host ?? '127.0.0.1',
      });
      const open = flags.open !== false && process.stdout.isTTY === true;
      await serveUntilStopped(opts, banner, open ? openInBrowser : undefined);
    });
}
