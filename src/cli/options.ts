import { Option } from 'commander';
import { DB_ENV } from '../store/db-env.js';

/**
 * The options many commands share, declared once so that they read and behave the same
 * everywhere (before: 17 `--db` declarations with 7 wordings, two `--since` parsers).
 * Values are parsed by time-range.ts (times, durations) and store.ts (the store).
 */

/** What a command does with its store: `create` makes it when missing; the others refuse. */
export type StoreUse = 'read' | 'write' | 'create' | 'optional';

const DB_DEFAULT = `$${DB_ENV}, else ~/.bedrock-insights/store.duckdb`;

/** `--db FILE`, worded for what the command does when the file is missing. */
export function dbOption(use: StoreUse): Option {
  const what = {
    read: 'must exist',
    write: 'must exist',
    create: 'created when missing',
    optional: 'optional; a path you name must exist',
  }[use];
  return new Option('--db <file>', `the store (default: ${DB_DEFAULT}; ${what})`);
}

/** `--format`, limited to the formats the command writes (commander refuses others, with the list). */
export function formatOption(choices: readonly string[], fallback: string = choices[0]): Option {
  return new Option('--format <format>', `output format`).choices(choices).default(fallback);
}

/** `--log-group NAME…`: the log groups a command reads (default: all). */
export function logGroupsOption(help = 'only these log groups (default: all)'): Option {
  return new Option('--log-group <name...>', help);
}

/** `--since`: a duration back from now or a time. */
export function sinceOption(help?: string, fallback?: string): Option {
  const o = new Option(
    '--since <when>',
    help ?? 'start: a duration back from now (15m, 1h, 3h, 1d, 2w) or a time (2026-11-01, ISO-8601, epoch ms)',
  );
  return fallback === undefined ? o : o.default(fallback);
}

/** `--until`: a time; a date alone means the end of that UTC day. */
export function untilOption(help = 'end: a time; a date alone means the end of that UTC day (default: now)'): Option {
  return new Option('--until <when>', help);
}

/** `--start` / `--end`: `query`'s names for the two bounds (both inclusive). */
export function startOption(): Option {
  return new Option('--start <time>', 'range start: ISO-8601, a date or epoch ms (inclusive)');
}
export function endOption(): Option {
  return new Option('--end <time>', 'range end: ISO-8601, a date (its end) or epoch ms (inclusive)');
}
