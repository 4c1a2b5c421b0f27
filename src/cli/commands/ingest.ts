import type { Command } from 'commander';
import { DEFAULT_LOG_GROUP } from '../../logs/event.js';
import { INGEST_MEMORY_LIMIT, ingestPaths, type IngestSummary } from '../../sources/ingest.js';
import { ProgressBar, formatCount, ingestDetail } from '../progress.js';
import { EXIT, setExitCode } from '../exit.js';
import { dbOption } from '../options.js';
import { withStore } from '../store.js';
import { RejectsFile, extraSummaryLines, reportIngestIssues } from '../ingest-report.js';
import { OVERLAP_OPTION, ingestRemoteSources, isRemoteSource, type RemoteIngestFlags } from './sync.js';

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('Ingest Bedrock model invocation logs (files, folders, s3://, cloudwatch://) into the local store.')
    .argument('<path...>', 'log files or folders (read recursively)')
    .addOption(dbOption('create'))
    .option('--log-group <name>', 'log group to store the records in', DEFAULT_LOG_GROUP)
    .option('--keep-bodies', 'keep request and response bodies (prompts!) in @message; default: stripped', false)
    .option('--strict', 'stop at the first malformed record (exit status 1)', false)
    .option('--rejects <file>', 'write every rejected record (file, line, reason) to FILE as JSON lines')
    .option(
      '--region <region>',
      "AWS region for s3:// and cloudwatch:// sources (default: the AWS SDK's: AWS_REGION, profile)",
    )
    .option(
      '--endpoint-url <url>',
      'an S3-compatible or CloudWatch Logs-compatible endpoint for s3:// / cloudwatch:// sources',
    )
    .option(...OVERLAP_OPTION)
    .addHelpText(
      'after',
      `
Reads, in any mix:
  - one record per line: .jsonl / .json / .ndjson, gzipped or not (.gz)
  - the S3 delivery layout: AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/*.json.gz
    (the permission-check marker and the data/ folders of offloaded bodies are skipped;
     with --keep-bodies the offloaded bodies are put back into the stored record)
  - a pretty-printed record, a JSON array of records
  - a CloudWatch export: the output of aws logs get-log-events / filter-log-events

Running it again is safe: unchanged files are skipped, and a record already stored (same
requestId in the log group, whenever it was ingested) is counted as a duplicate, not stored
twice; a duplicate whose content differs (model, tokens, time) is reported as a conflict. An
interrupted ingest is completed by running the same command again.

Bad input is reported, never fatal: a bad record, line or file is listed with file, line and
reason (the first 10; --rejects FILE writes them all), and the rest is read. A record larger than
1 MiB (bodies cut first) or nested deeper than 256 levels is rejected. Exit status 1 when nothing
was stored and something was rejected, or with --strict.

Examples:
  npx bedrock-insights ingest ./AWSLogs
  npx bedrock-insights ingest logs.jsonl --log-group bedrock-prod
  npx bedrock-insights ingest export.json --db /data/bi.duckdb --strict
  npx bedrock-insights ingest s3://my-bucket/AWSLogs/ --region us-east-1
  npx bedrock-insights ingest cloudwatch:///aws/bedrock/modelinvocations --region us-east-1`,
    )
    .action(async (paths: string[], o: RemoteIngestFlags & { rejects?: string }) => {
      const rejects = o.rejects ? new RejectsFile(o.rejects) : undefined;
      try {
        await ingestAll(paths, o, rejects);
      } finally {
        rejects?.close();
      }
    });
}

async function ingestAll(paths: string[], o: RemoteIngestFlags, rejects: RejectsFile | undefined): Promise<void> {
  // s3://BUCKET/PREFIX and cloudwatch://LOG_GROUP are read with the AWS SDK (src/sources/s3.ts, cloudwatch.ts).
  if (paths.some(isRemoteSource)) {
    await ingestRemoteSources(paths.filter(isRemoteSource), o, rejects);
    paths = paths.filter((p) => !isRemoteSource(p));
    if (paths.length === 0) return;
  }
  const bar = new ProgressBar();
  const started = Date.now();
  const { summary, path } = await withStore(
    o,
    'create',
    async (store) => {
      try {
        const opts = {
          logGroup: o.logGroup,
          keepBodies: o.keepBodies,
          strict: o.strict,
          ...(rejects ? { onReject: rejects.add } : {}),
        };
        const s = await ingestPaths(store, paths, opts, (p) => {
          bar.update({ done: p.bytesDone, total: p.bytesTotal, detail: ingestDetail(p, started) });
        });
        return { summary: s, path: store.path };
      } catch (e) {
        if (o.strict) setExitCode(EXIT.FAILED);
        throw e;
      } finally {
        bar.done();
      }
    },
    { memoryLimit: INGEST_MEMORY_LIMIT },
  );
  printSummary(summary, path);
  reportIngestIssues(summary, { strict: o.strict, rejects });
}

function printSummary(s: IngestSummary, db: string): void {
  const secs = s.elapsedMs / 1000;
  const lines = [
    `files read:          ${formatCount(s.filesRead)}`,
    `files skipped:       ${formatCount(s.filesSkipped)} (unchanged since the last ingest)`,
    `records stored:      ${formatCount(s.recordsStored)}`,
    `duplicates skipped:  ${formatCount(s.duplicatesSkipped)}`,
    `records rejected:    ${formatCount(s.recordsRejected)}`,
    ...extraSummaryLines(s),
    `time:                ${secs.toFixed(1)} s${s.recordsRead > 0 && secs > 0 ? ` (${formatCount(s.recordsRead / secs)} records/s)` : ''}`,
    `store:               ${db}`,
  ];
  if (s.pricing) {
    const unpriced =
      s.pricing.unpriced > 0
        ? `; ${formatCount(s.pricing.unpriced)} without a price (${formatCount(s.pricing.unpricedTokens)} tokens, not counted as $0: see npx bedrock-insights prices check)`
        : '';
    lines.push(
      `priced:              ${formatCount(s.pricing.priced)} invocations (price book ${s.pricing.version})${unpriced}`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
  if (s.pricingError)
    process.stderr.write(`warning: the new invocations were stored but not priced: ${s.pricingError}\n`);
}
