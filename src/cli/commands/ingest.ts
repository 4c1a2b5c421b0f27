import type { Command } from 'commander';
import { DEFAULT_LOG_GROUP } from '../../logs/event.js';
import { INGEST_MEMORY_LIMIT, ingest, type IngestSummary } from '../../sources/ingest.js';
import { FilesSource } from '../../sources/files/source.js';
import { adapterFor } from '../../sources/registry.js';
import type { Source } from '../../sources/source.js';
import { BiError, isBiError } from '../../util/errors.js';
import { wholeNumber } from '../flags.js';
import { ProgressBar, formatCount, ingestDetail } from '../progress.js';
import { EXIT, setExitCode } from '../exit.js';
import { dbOption } from '../options.js';
import { withStore } from '../store.js';
import { onInterrupt } from '../signals.js';
import { RejectsFile, extraSummaryLines, reportIngestIssues } from '../ingest-report.js';
import { OVERLAP_OPTION } from './sync.js';

export interface IngestFlags {
  db?: string;
  logGroup: string;
  keepBodies: boolean;
  strict: boolean;
  region?: string;
  endpointUrl?: string;
  /** --overlap, for cloudwatch:// sources (minutes, as typed). */
  overlap?: string;
  rejects?: string;
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('Ingest Bedrock model invocation logs (files, folders, s3://, cloudwatch://) into the local store.')
    .argument('<path...>', 'log files or folders (read recursively)')
    .addOption(dbOption('create'))
    .option('--log-group <name>', 'log group to store the records in', DEFAULT_LOG_GROUP)
    .option(
      '--keep-bodies',
      'keep request and response bodies whole (prompts!); default: only latency, stop reason, usage, settings and tool/guardrail markers are kept',
      false,
    )
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
Reads, in any mix, into one summary and one exit status:
  - one record per line: .jsonl / .json / .ndjson, gzipped or not (.gz)
  - the S3 delivery layout: AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/*.json.gz
    (the permission-check marker and the data/ folders of offloaded bodies are skipped;
     with --keep-bodies the offloaded bodies are put back into the stored record)
  - a pretty-printed record, a JSON array of records
  - a CloudWatch export: the output of aws logs get-log-events / filter-log-events, or of
    aws logs create-export-task (<prefix>/<task id>/<stream>/000000.gz, lines "<time> <record>")
  - CloudWatch Logs subscription payloads as Firehose writes them to S3 (gzipped, concatenated,
    files without an extension: inside a folder, a file is read when its first bytes are records)
  - s3://BUCKET/PREFIX and cloudwatch://LOG_GROUP (read with the AWS SDK)

Bodies: by default the text of prompts, responses, tool inputs and results and images is dropped;
what says how a call went is kept as fields (output.outputBodyJson.metrics.latencyMs, stopReason,
usage, inference settings, tool names, guardrail actions). --keep-bodies keeps everything.

Running it again is safe: unchanged files are skipped, and a record already stored (same
requestId in the log group, whenever it was ingested) is counted as a duplicate, not stored
twice; a duplicate whose content differs (model, tokens, time) is reported as a conflict. An
interrupted ingest is completed by running the same command again.

Bad input is reported, never fatal: a bad record, line or file is listed with file, line and
reason (the first 10; --rejects FILE writes them all), and the rest is read. A record larger than
1 MiB (bodies cut first) or nested deeper than 256 levels is rejected. Exit status 1 when nothing
was stored and something was rejected, or with --strict.

Once an ingest of files or S3 objects has read 4 MB of records, it parses the rest on a second
thread when the machine has two cores (BEDROCK_INSIGHTS_INGEST_THREADS=0 keeps it to one).

Examples:
  npx bedrock-insights ingest ./AWSLogs
  npx bedrock-insights ingest logs.jsonl --log-group bedrock-prod
  npx bedrock-insights ingest export.json --db /data/bi.duckdb --strict
  npx bedrock-insights ingest s3://my-bucket/AWSLogs/ --region us-east-1
  npx bedrock-insights ingest cloudwatch:///aws/bedrock/modelinvocations --region us-east-1`,
    )
    .action(async (paths: string[], o: IngestFlags) => {
      const rejects = o.rejects ? new RejectsFile(o.rejects) : undefined;
      try {
        await ingestAll(paths, o, rejects);
      } finally {
        rejects?.close();
      }
    });
}

/** The sources the arguments name: local paths together (one walk), each s3:// or cloudwatch:// through its adapter. */
function sourcesOf(args: string[], o: IngestFlags): Source[] {
  const files = new FilesSource([], { logGroup: o.logGroup, keepBodies: o.keepBodies });
  const overlap = wholeNumber('--overlap', o.overlap);
  const out: Source[] = [];
  let anyOverlap = false;
  for (const arg of args) {
    const adapter = adapterFor(arg);
    if (adapter.kind === 'local folder') {
      if (files.paths.length === 0) out.push(files);
      files.paths.push(arg);
      continue;
    }
    anyOverlap ||= adapter.takesOverlap;
    out.push(
      adapter.open({
        url: adapter.canonical(arg),
        ...(o.region ? { region: o.region } : {}),
        ...(o.endpointUrl ? { endpointUrl: o.endpointUrl } : {}),
        // --log-group left at its default: a CloudWatch group keeps its own name.
        ...(o.logGroup !== DEFAULT_LOG_GROUP || !adapter.takesOverlap ? { logGroup: o.logGroup } : {}),
        keepBodies: o.keepBodies,
        ...(overlap !== undefined ? { overlapMinutes: overlap } : {}),
      }),
    );
  }
  if (overlap !== undefined && !anyOverlap)
    throw new BiError(
      'INVALID_ARGUMENT',
      '--overlap applies to cloudwatch:// sources only (files and S3 objects are listed).',
    );
  return out;
}

async function ingestAll(args: string[], o: IngestFlags, rejects: RejectsFile | undefined): Promise<void> {
  const sources = sourcesOf(args, o);
  const bar = new ProgressBar();
  const started = Date.now();
  // Ctrl-C (here, or the client's when a server runs this ingest) stops between reads.
  const cancel = new AbortController();
  const release = onInterrupt(() => cancel.abort());
  let done: { summary: IngestSummary; path: string };
  try {
    done = await withStore(
      o,
      'create',
      async (store) => {
        try {
          const s = await ingest(
            store,
            sources,
            {
              keepBodies: o.keepBodies,
              strict: o.strict,
              signal: cancel.signal,
              ...(rejects ? { onReject: rejects.add } : {}),
            },
            (p) => {
              bar.update({
                done: p.bytesDone,
                total: p.bytesTotal,
                detail: ingestDetail(p.unit === 'pages' ? { records: p.records, noun: 'events' } : p, started),
              });
            },
          );
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
  } catch (e) {
    if (!isBiError(e) || e.code !== 'INGEST_CANCELLED') throw e;
    process.stderr.write(`${e.message}\n`);
    setExitCode(EXIT.CANCELLED);
    return;
  } finally {
    release();
  }
  const { summary, path } = done;
  printSummary(summary, path);
  reportIngestIssues(summary, { strict: o.strict, rejects });
}

function printSummary(s: IngestSummary, db: string): void {
  const secs = s.elapsedMs / 1000;
  const local = s.sources.length === 1 && s.sources[0].unit === 'files';
  const lines = [
    ...(local
      ? [
          `files read:          ${formatCount(s.filesRead)}`,
          `files skipped:       ${formatCount(s.filesSkipped)} (unchanged since the last ingest)`,
        ]
      : s.sources.map((src) => `source:              ${sourceLine(src)}`)),
    `records stored:      ${formatCount(s.recordsStored)}`,
    `duplicates skipped:  ${formatCount(s.duplicatesSkipped)}`,
    `records rejected:    ${formatCount(s.recordsRejected)}`,
    ...extraSummaryLines(s),
    `time:                ${secs.toFixed(1)} s${s.recordsRead > 0 && secs > 0 ? ` (${formatCount(s.recordsRead / secs)} records/s)` : ''}`,
    `store:               ${db}`,
  ];
  if (s.pricing) {
    const p = s.pricing;
    const partly =
      p.partlyPriced > 0 ? `; ${formatCount(p.partlyPriced)} partly priced (a cache class without a price)` : '';
    const unpriced = p.unpriced > 0 ? `; ${formatCount(p.unpriced)} without a price` : '';
    const tokens =
      p.unpricedTokens > 0
        ? ` (${formatCount(p.unpricedTokens)} tokens unpriced, not counted as $0: see npx bedrock-insights prices check)`
        : '';
    lines.push(
      `priced:              ${formatCount(p.priced)} invocations (price book ${p.version})${partly}${unpriced}${tokens}`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
  if (s.notLogsCount > 0) {
    const shown = s.notLogs.slice(0, 5).join(', ');
    process.stderr.write(
      `not read: ${formatCount(s.notLogsCount)} file${s.notLogsCount === 1 ? '' : 's'} that do${s.notLogsCount === 1 ? 'es' : ''} not look like logs (no .json/.jsonl/.ndjson/.gz name, and not JSON inside): ${shown}${s.notLogsCount > 5 ? ', …' : ''}. To read one anyway, give its path itself.\n`,
    );
  }
  if (s.pricingError)
    process.stderr.write(`warning: the new invocations were stored but not priced: ${s.pricingError}\n`);
}

function sourceLine(src: IngestSummary['sources'][number]): string {
  if (src.unit === 'pages') return `${src.url} (${formatCount(src.records)} events read)`;
  return `${src.url} (${formatCount(src.read)} ${src.unit} read, ${formatCount(src.skipped)} unchanged since the last ingest)`;
}
