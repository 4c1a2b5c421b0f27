import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { exportArchive } from '../../archive/export.js';
import { INGEST_MEMORY_LIMIT, ingest } from '../../sources/ingest.js';
import { openSource } from '../../sources/registry.js';
import { Store } from '../../store/store.js';
import { BiError } from '../../util/errors.js';
import { dbOption, endOption, logGroupsOption, sinceOption, startOption } from '../options.js';
import { withStore } from '../store.js';
import { parseRange } from '../time-range.js';
import { humanBytes } from './generate.js';

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
    .addOption(dbOption('read'))
    .option(
      '--from <dir-or-s3-url>',
      'read this S3 delivery layout (a folder or s3://BUCKET/PREFIX) instead of the store, through the ingest rules',
    )
    .addOption(logGroupsOption('log groups to export (default: all)'))
    .addOption(sinceOption())
    .addOption(startOption())
    .addOption(endOption())
    .option('--region <region>', 'AWS region of the bucket (--from s3://)')
    .option('--endpoint-url <url>', 'an S3-compatible endpoint (--from s3://)')
    .addHelpText(
      'after',
      `
The days written replace the same days of an earlier export; other days stay, so a daily
"export --since 2d" keeps an archive current. @message, the typed fields, request metadata and
cost are the store's, so the archive answers exactly as the store does.

Examples:
  npx bedrock-insights export --out ./archive
  npx bedrock-insights export --out ./archive --since 2d
  npx bedrock-insights export --from s3://my-bedrock-logs/ --out ./archive --region us-east-1
  aws s3 sync ./archive s3://my-archive/bedrock/ && npx bedrock-insights athena ddl --archive s3://my-archive/bedrock`,
    )
    .action(async (f: ExportFlags) => {
      const parsed = parseRange(f);
      const range: { startTime?: number; endTime?: number } = {
        ...(parsed.start !== undefined ? { startTime: parsed.start } : {}),
        ...(parsed.end !== undefined ? { endTime: parsed.end } : {}),
      };
      if (f.from !== undefined && f.db !== undefined)
        throw new BiError(
          'INVALID_ARGUMENT',
          'Give either --db (export the store) or --from (read a delivery layout), not both.',
        );
      if (f.from === undefined) {
        await withStore(f, 'read', (store) => writeArchive(store, f, range));
        return;
      }
      // The layout goes through the ingest rules into a scratch store, then out as Parquet.
      const scratch = mkdtempSync(join(tmpdir(), 'bi-export-'));
      try {
        await withStore(
          { db: join(scratch, 'store.duckdb') },
          'create',
          async (store) => {
            const s = await ingest(
              store,
              [
                openSource({
                  url: f.from!,
                  ...(f.region ? { region: f.region } : {}),
                  ...(f.endpointUrl ? { endpointUrl: f.endpointUrl } : {}),
                }),
              ],
              { keepBodies: false },
            );
            process.stderr.write(
              `read ${s.recordsStored.toLocaleString('en-US')} records from ${f.from}${s.recordsRejected ? ` (${s.recordsRejected} rejected)` : ''}\n`,
            );
            await writeArchive(store, f, range);
          },
          { memoryLimit: INGEST_MEMORY_LIMIT },
        );
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });
}

async function writeArchive(
  store: Store,
  f: ExportFlags,
  range: { startTime?: number; endTime?: number },
): Promise<void> {
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
      `Tables: npx bedrock-insights trino setup --trino-url URL --archive ${r.out}\n`,
  );
}
