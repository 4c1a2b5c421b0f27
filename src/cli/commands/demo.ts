import type { Command } from 'commander';
import { DEMO_DEFAULT_DAYS, DEMO_DEFAULT_RECORDS, DEFAULT_SEED } from '../../demo/generator.js';
import { defaultDemoDataDir, ensureDemoData } from '../../demo/demoData.js';
import { formatSummary, summarizeStore } from '../../demo/summary.js';
import { DEMO_ACCOUNT } from '../../demo/world.js';
import { ingestPaths, type IngestSummary } from '../../sources/ingest.js';
import { defaultDbPath, Store } from '../../store/store.js';
import { BiError, errorMessage } from '../../util/errors.js';
import { formatWriteSummary, progressLine } from './generate.js';
import { wholeNumber } from '../flags.js';
import { serveUntilStopped, serverOptionsFrom } from './serve.js';

interface DemoFlags {
  db?: string;
  /** commander's --no-serve sets serve=false. */
  serve?: boolean;
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
  const dbPath = defaultDbPath(flags.db);
  const dataDir = flags.data ?? defaultDemoDataDir(dbPath);
  const params = {
    records: wholeNumber('--records', flags.records) ?? DEMO_DEFAULT_RECORDS,
    days: wholeNumber('--days', flags.days) ?? DEMO_DEFAULT_DAYS,
    seed: flags.seed ?? DEFAULT_SEED,
  };
  const out = (s: string) => process.stdout.write(`${s}\n`);

  const gen = progressLine('Generating demo data:');
  const { generated, manifest, dataFile } = await ensureDemoData(dataDir, params, (p) => gen.update(p.records, p.total));
  gen.done();
  out(generated ? formatWriteSummary(manifest.summary) : `Demo data already in ${dataDir} (${manifest.records.toLocaleString('en-US')} records, seed ${manifest.seed}); reusing it.`);

  const store = await Store.open(dbPath);
  try {
    const ing = progressLine('Ingesting:');
    let result: IngestSummary;
    try {
      // The data file only: the folder also holds the manifest, which is not a log record.
      result = await ingestPaths(store, [dataFile], {}, (p) => ing.update(p.records, manifest.records));
    } catch (e) {
      if (/not implemented/i.test(errorMessage(e))) {
        throw new BiError('NOT_IMPLEMENTED', `The demo data is ready in ${dataDir}, but ingest is not available in this build yet.`);
      }
      throw e;
    } finally {
      ing.done();
    }
    out(`Ingested into ${dbPath}: ${result.recordsStored.toLocaleString('en-US')} new records, ${result.duplicatesSkipped.toLocaleString('en-US')} already there, ${result.filesSkipped.toLocaleString('en-US')} unchanged files skipped, ${result.recordsRejected} rejected.`);
    const s = await summarizeStore(store, { accountId: DEMO_ACCOUNT, startMs: manifest.endMs - manifest.days * 86_400_000, endMs: manifest.endMs });
    out('');
    out('Demo data in the store:');
    out(formatSummary(s));
    out('');
    out(`Try: bedrock-insights query --db ${dbPath} -f queries/bedrock/q02-tokens-by-application.insights --since ${manifest.days}d`);
  } finally {
    store.close();
  }
  return { dbPath, dataDir };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Generate the demo data set (once), ingest it into the store and print a summary.')
    .option('--db <file>', 'the store (default: $BEDROCK_INSIGHTS_DB or ~/.bedrock-insights/store.duckdb)')
    .option('--data <dir>', 'where the demo data is generated (default: demo-data next to the store)')
    .option('--records <n>', `records to generate (default ${DEMO_DEFAULT_RECORDS.toLocaleString('en-US')})`)
    .option('--days <d>', `days covered, ending now (default ${DEMO_DEFAULT_DAYS})`)
    .option('--seed <s>', 'generator seed (default 1)')
    .option('--port <port>', 'port of the console (default 8080; 0 picks a free one)', '8080')
    .option('--host <host>', 'address the console binds (default 127.0.0.1)', '127.0.0.1')
    .option('--no-serve', 'only load the data and print the summary; do not start the console')
    .addHelpText('after', `
Then it serves the console over that store (like \`bedrock-insights serve\`) until Ctrl-C.
Running demo again reuses the generated data (same parameters) and ingests nothing twice.
Examples:
  bedrock-insights demo                                  # then open http://127.0.0.1:8080/
  bedrock-insights demo --db /tmp/demo.duckdb --records 20000 --no-serve`)
    .action(async (flags: DemoFlags) => {
      const run = await runDemo(flags);
      if (flags.serve === false) return;
      process.stdout.write('\n');
      const { opts, banner } = serverOptionsFrom({ db: run.dbPath, port: flags.port ?? '8080', host: flags.host ?? '127.0.0.1' });
      await serveUntilStopped(opts, banner);
    });
}
