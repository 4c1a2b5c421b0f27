import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { exportArchive } from '../../archive/export.js';
import { INGEST_MEMORY_LIMIT, ingestPaths } from '../../sources/ingest.js';
import { ingestS3 } from '../../sources/s3.js';
import { Store, defaultDbPath } from '../../store/store.js';
import { BiError } from '../../util/errors.js';
import { humanBytes } from './generate.js';
import { parseSince, parseTime } from './query.js';

interface ExportFlags {
  out: string;
  db?: string;
  from?: string;
  logGroup?: string[];
  since?: string;
  start?: string;
  end?: string;
  region?: string;
  endpointUrl?: string;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'Write the columnar archive: Parquet files partitioned by day (events/day=YYYY-MM-DD/), with the field catalog, from the store or straight from an S3 delivery layout. Trino and Athena query it with the same results (trino setup --archive, athena ddl --archive, query --archive).',
    )
    .requiredOption('--out <dir>', 'the archive folder (copy it to S3 as is for Athena)')
    .option('--db <file>', 'the store to export (default: $BEDROCK_INSIGHTS_DB or ~/.bedrock-insights/store.duckdb)')
    .option(
      '--from <dir-or-s3-url>',
      'read this S3 delivery layout (a folder or s3://BUCKET/PREFIX) instead of the store, through the ingest rules',
    )
    .option('--log-group <name...>', 'log groups to export (default: all)')
    .option('--since <period>', 'only events of the last period: 1d, 2w …')
    .option('--start <time>', 'range start: ISO-8601 or epoch ms (inclusive)')
    .option('--end <time>', 'range end: ISO-8601 or epoch ms (inclusive)')
    .option('--region <region>', 'AWS region of the bucket (--from s3://)')
    .option('--endpoint-url <url>', 'an S3-compatible endpoint (--from s3://)')
    .addHelpText(
      'after',
      `
The days written replace the same days of an earlier export; other days stay, so a daily
"export --since 2d" keeps an archive current. @message, the typed fields, request metadata and
cost are the store's, so the archive answers exactly as the store does.

Examples:
  bedrock-insights export --out ./archive
  bedrock-insights export --out ./archive --since 2d
  bedrock-insights export --from s3://my-bedrock-logs/ --out ./archive --region us-east-1
  aws s3 sync ./archive s3://my-archive/bedrock/ && bedrock-insights athena ddl --archive s3://my-archive/bedrock`,
    )
    .action(async (f: ExportFlags) => {
      if (f.since !== undefined && (f.start !== undefined || f.end !== undefined))
        throw new BiError('BAD_ARGS', 'Use either --since or --start/--end, not both.');
      const range: { startTime?: number; endTime?: number } = {};
      if (f.since !== undefined) range.startTime = Date.now() - parseSince(f.since);
      if (f.start !== undefined) range.startTime = parseTime(f.start, '--start');
      if (f.end !== undefined) range.endTime = parseTime(f.end, '--end');
      if (f.from !== undefined && f.db !== undefined)
        throw new BiError(
          'BAD_OPTION',
          'Give either --db (export the store) or --from (read a delivery layout), not both.',
        );
      let scratch: string | undefined;
      let store: Store;
      if (f.from !== undefined) {
        // The layout goes through the ingest rules into a scratch store, then out as Parquet.
        scratch = mkdtempSync(join(tmpdir(), 'bi-export-'));
        store = await Store.open(join(scratch, 'store.duckdb'), { memoryLimit: INGEST_MEMORY_LIMIT });
      } else {
        const path = defaultDbPath(f.db);
        if (!existsSync(path))
          throw new BiError(
            'STORE_MISSING',
            `There is no store at ${path}. Pass --db FILE, or --from a delivery layout.`,
          );
        store = await Store.open(path, { readOnly: true });
      }
      try {
        if (f.from !== undefined) {
          const aws = {
            ...(f.region ? { region: f.region } : {}),
            ...(f.endpointUrl ? { endpointUrl: f.endpointUrl } : {}),
          };
          const s = f.from.startsWith('s3://')
            ? await ingestS3(store, f.from, aws)
            : await ingestPaths(store, [f.from]);
          process.stderr.write(
            `read ${s.recordsStored.toLocaleString('en-US')} records from ${f.from}${s.recordsRejected ? ` (${s.recordsRejected} rejected)` : ''}\n`,
          );
        }
        const r = await exportArchive(store, {
          out: f.out,
          ...range,
          ...(f.logGroup && f.logGroup.length ? { logGroups: f.logGroup } : {}),
        });
        const days = r.days.length
          ? `${r.days.length} day${r.days.length === 1 ? '' : 's'} (${r.days[0]} to ${r.days.at(-1)})`
          : 'no day';
        process.stdout.write(
          `Exported ${r.events.toLocaleString('en-US')} events, ${days}, ${humanBytes(r.bytes)} of Parquet, to ${r.out}\n` +
            `Tables: bedrock-insights trino setup --trino-url URL --archive ${r.out}\n`,
        );
      } finally {
        store.close();
        if (scratch) rmSync(scratch, { recursive: true, force: true });
      }
    });
}
