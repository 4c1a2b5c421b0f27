import { Option, type Command } from 'commander';
import { DEMO_DEFAULT_DAYS, DEMO_DEFAULT_RECORDS, writeDataset, type WriteSummary } from '../../demo/generator.js';
import { GUIDE_RECORDS } from '../../demo/presets/guide.js';
import { BiError } from '../../util/errors.js';
import { wholeNumber } from '../flags.js';

interface GenerateFlags {
  preset: 'demo' | 'guide';
  records?: string;
  days?: string;
  seed?: string;
  end?: string;
  format?: 'jsonl' | 's3';
  out: string;
  force?: boolean;
  bodies: boolean;
}

export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (v >= 1024 && i < units.length - 1);
  return `${v.toFixed(1)} ${units[i]}`;
}

function iso(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** A progress line that rewrites itself, on a terminal only. */
export function progressLine(label: string): { update(done: number, total: number): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  let lastDraw = 0;
  return {
    update(done, total) {
      if (!tty) return;
      const now = Date.now();
      if (now - lastDraw < 200 && done < total) return;
      lastDraw = now;
      const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
      const rate = Math.round(done / Math.max(0.001, (now - started) / 1000));
      process.stderr.write(
        `\r${label} ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} records (${pct}%), ${rate.toLocaleString('en-US')} records/s   `,
      );
    },
    done() {
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}

export function formatWriteSummary(s: WriteSummary): string {
  const layout = s.format === 's3' ? `S3 delivery layout, ${s.files.toLocaleString('en-US')} files` : 'one .jsonl file';
  return [
    `Generated ${s.records.toLocaleString('en-US')} records (preset ${s.preset}, seed ${s.seed}) into ${s.out}`,
    `  ${layout}, ${humanBytes(s.bytes)}`,
    `  records from ${iso(s.firstMs)} to ${iso(s.lastMs)} (window ${iso(s.startMs)} .. ${iso(s.endMs)})`,
  ].join('\n');
}

/**
 * The output format: --format, else the --out name's (`x.jsonl` is one file; a name without a
 * file extension a folder in the S3 layout). Before, `--out x.jsonl` without --format wrote a
 * folder named x.jsonl with 780 files in it.
 */
export function outputFormat(out: string, format: 'jsonl' | 's3' | undefined): 'jsonl' | 's3' {
  if (format) return format;
  const ext = /\.([a-z0-9]+)$/i.exec(out.replace(/[\\/]+$/, ''))?.[1]?.toLowerCase();
  if (ext === undefined) return 's3';
  if (ext === 'jsonl' || ext === 'ndjson' || ext === 'json') return 'jsonl';
  throw new BiError(
    'INVALID_ARGUMENT',
    `--out ${out}: write one file with a .jsonl name (or --format jsonl), or a folder for the S3 layout (a name without an extension, or --format s3).`,
  );
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description(
      'Generate realistic, deterministic Bedrock invocation logs (demo data) as the S3 delivery layout or one .jsonl file.',
    )
    .requiredOption('--out <path>', 'where to write: a folder (s3 format) or a .jsonl file (jsonl format)')
    .addOption(
      new Option(
        '--preset <name>',
        `demo (a realistic fleet) or guide (reproduces the guide's tables, ${GUIDE_RECORDS} records)`,
      )
        .choices(['demo', 'guide'])
        .default('demo'),
    )
    .option('--records <n>', `number of records (demo preset; default ${DEMO_DEFAULT_RECORDS.toLocaleString('en-US')})`)
    .option('--days <d>', `days covered, ending at --end (default ${DEMO_DEFAULT_DAYS} for demo, 1 for guide)`)
    .option('--seed <s>', 'seed: the same seed and options give byte-identical output (default 1)')
    .option('--end <time>', 'end of the data (ISO time or epoch ms), floored to the hour (default: now)')
    .addOption(
      new Option(
        '--format <format>',
        's3 (hourly gzipped files under AWSLogs/…) or jsonl (default: jsonl for an --out name ending in .jsonl, else s3)',
      ).choices(['s3', 'jsonl']),
    )
    .option('--force', 'write even if the output already exists')
    .option('--no-bodies', 'leave out request/response bodies (as with text data delivery switched off)')
    .addHelpText(
      'after',
      `
Examples:
  npx bedrock-insights generate --out ./demo-logs
  npx bedrock-insights generate --preset guide --out guide.jsonl --end 2026-11-01T00:00:00Z
  npx bedrock-insights generate --records 1000000 --days 90 --seed 7 --out big.jsonl

Then: npx bedrock-insights ingest ./demo-logs`,
    )
    .action(async (flags: GenerateFlags) => {
      const format = outputFormat(flags.out, flags.format);
      const progress = progressLine('Generating');
      const summary = await writeDataset({
        out: flags.out,
        format,
        preset: flags.preset,
        records: wholeNumber('--records', flags.records),
        days: wholeNumber('--days', flags.days),
        seed: flags.seed,
        end: flags.end,
        force: flags.force,
        bodies: flags.bodies,
        onProgress: (p) => progress.update(p.records, p.total),
      });
      progress.done();
      process.stdout.write(`${formatWriteSummary(summary)}\n`);
    });
}
