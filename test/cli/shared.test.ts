import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { COMMANDS } from '../../src/cli/commands.js';
import { parseDuration, parseRange, parseTime } from '../../src/cli/time-range.js';
import { didYouMean } from '../../src/cli/suggest.js';
import { displayValue } from '../../src/cli/output.js';
import { outputFormat } from '../../src/cli/commands/generate.js';

// The CLI's shared pieces (src/cli/options.ts, time-range.ts, store.ts, output.ts, suggest.ts,
// commands.ts), through the built program as a user runs it where it matters.

const BIN = resolve('bin/bedrock-insights.js');
function run(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, BEDROCK_INSIGHTS_DB: '', ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('one range parser: durations in any case, dates, epoch ms; bad input and empty ranges refused', () => {
  const now = Date.parse('2026-11-15T12:00:00Z');
  assert.deepEqual(parseRange({ since: '1H' }, now), { start: now - 3_600_000, end: now });
  assert.deepEqual(parseRange({ since: '1h' }, now), parseRange({ since: '1H' }, now));
  assert.equal(parseDuration('500ms', '--query-timeout'), 500);
  assert.deepEqual(parseRange({ since: '2026-11-01', until: '2026-11-30' }, now), {
    start: Date.parse('2026-11-01T00:00:00Z'),
    end: Date.parse('2026-12-01T00:00:00Z') - 1,
  });
  assert.deepEqual(parseRange({ since: '2d', until: '2026-11-10T00:00:00Z' }, now), {
    start: Date.parse('2026-11-08T00:00:00Z'),
    end: Date.parse('2026-11-10T00:00:00Z'),
  });
  assert.equal(parseTime('1700000000000', '--start'), 1_700_000_000_000);
  for (const bad of ['yesterday', '1 hour', '-1h', '0h', '', '1x'])
    assert.throws(() => parseRange({ since: bad }, now), { code: 'INVALID_ARGUMENT' }, bad);
  assert.throws(() => parseRange({ since: '2026-11-02', until: '2026-11-01' }, now), /The range is empty/);
  assert.throws(() => parseRange({ since: '1h', start: '2026-11-01' }, now), /either --since or --start/);
});

test('--since 1H works for query, daily and alarms backtest alike', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-since-'));
  const db = join(dir, 's.duckdb');
  const logs = join(dir, 'guide.jsonl');
  assert.equal(run(['generate', '--preset', 'guide', '--out', logs]).code, 0);
  const made = run(['ingest', '--db', db, logs]);
  assert.equal(made.code, 0, made.err);
  for (const args of [['query', 'fields @timestamp'], ['daily'], ['alarms', 'backtest', 'none']]) {
    const r = run([...args, '--db', db, '--since', '1H']);
    assert.doesNotMatch(r.err, /--since/, `${args.join(' ')}: ${r.err}`);
    if (args[0] !== 'alarms') assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
  }
});

test('every command that reads a store refuses a missing one, naming it, and creates nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-nostore-'));
  const db = join(dir, 'mistyped.duckdb');
  const bill = join(dir, 'bill.csv');
  writeFileSync(bill, 'a\n');
  const reading = [
    ['query', 'fields @timestamp'],
    ['check', 'fields @timestamp'],
    ['chargeback', '--by', 'team', '--month', '2026-10'],
    ['report', '--period', '2026-10', '--out', join(dir, 'r.html')],
    ['reconcile', '--bill', bill],
    ['alarms', 'list'],
    ['alarms', 'evaluate'],
    ['serve', '--port', '0'],
    ['prices', 'check'],
    ['prices', 'reprice'],
    ['daily'],
    ['monthly'],
    ['doctor', '--no-aws'],
  ];
  for (const args of reading) {
    const r = run([...args, '--db', db]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}${r.err}`);
    assert.match(
      r.err,
      /^error \[STORE_MISSING\]: There is no store at .*mistyped\.duckdb \(from --db/,
      args.join(' '),
    );
    assert.match(r.err, /npx bedrock-insights ingest PATH --db FILE/);
    assert.equal(existsSync(db), false, `${args.join(' ')} created the store`);
  }
  // The same through the environment variable.
  const env = run(['chargeback', '--by', 'team', '--month', '2026-10'], { BEDROCK_INSIGHTS_DB: db });
  assert.equal(env.code, 2);
  assert.match(env.err, /from \$BEDROCK_INSIGHTS_DB/);
  // The help says which commands create one.
  assert.match(
    run(['chargeback', '--help']).out,
    /--db <file>\s+the store \(default: \$BEDROCK_INSIGHTS_DB, else\s.*must exist\)/s,
  );
  assert.match(run(['ingest', '--help']).out, /created when missing/);
});

test('unknown options: one code, exit 2, and a suggestion when one is close', () => {
  const r = run(['ingest', '--bodies', 'x']);
  assert.equal(r.code, 2);
  assert.match(r.err, /^error \[INVALID_ARGUMENT\]: unknown option '--bodies'\n\(Did you mean --keep-bodies\?\)/);
  const q = run(['query', '--sinse', '1h', 'fields a']);
  assert.match(q.err, /Did you mean --since\?/);
  const far = run(['query', '--zzzzzzzz', 'fields a']);
  assert.equal(far.code, 2);
  assert.doesNotMatch(far.err, /Did you mean/);
  assert.equal(didYouMean('--', ['--since']), '');
  const cmd = run(['qurey']);
  assert.equal(cmd.code, 2);
  assert.match(cmd.err, /INVALID_ARGUMENT.*unknown command 'qurey'[\s\S]*Did you mean query\?/);
});

test('--version and -V print the package version; --help lists every command without loading them', () => {
  const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
  for (const flag of ['--version', '-V']) {
    const r = run([flag]);
    assert.equal(r.code, 0);
    assert.equal(r.out, `${version}\n`);
  }
  const help = run(['--help']);
  assert.equal(help.code, 0);
  for (const c of COMMANDS) assert.match(help.out, new RegExp(`\\n  ${c.name} ${c.term.replace(/[[\].]/g, '\\$&')}`));
});

test('--help answers within 0.5 s more than an empty Node.js start (the task asks for < 0.5 s)', () => {
  const time = (args: string[]): number => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const t0 = process.hrtime.bigint();
      spawnSync(process.execPath, args, { encoding: 'utf8' });
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return best;
  };
  const bare = time(['-e', '0']);
  const help = time([BIN, '--help']);
  assert.ok(help - bare < 500, `--help took ${Math.round(help)} ms, an empty node ${Math.round(bare)} ms`);
});

test("each command's module registers what the lazy table says (name, summary, arguments)", async () => {
  for (const c of COMMANDS) {
    const program = new Command();
    (await c.load())(program);
    const cmd = program.commands.find((x) => x.name() === c.name);
    assert.ok(cmd, `${c.name} is not registered by its module`);
    assert.equal(cmd.description(), c.summary, c.name);
    assert.equal(cmd.usage(), c.term, c.name);
  }
});

test('table display rounds long decimals; other values stay as they are', () => {
  assert.equal(displayValue('0.000009359999999999998'), '0.00000936');
  assert.equal(displayValue('1234.5678901234567'), '1234.56789');
  assert.equal(displayValue('33.333333333333336'), '33.333333');
  assert.equal(displayValue('42'), '42');
  assert.equal(displayValue('1e-7'), '1e-7');
  assert.equal(displayValue('2026-11-01 10:00:00.000'), '2026-11-01 10:00:00.000');
  assert.equal(displayValue('1.2.3'), '1.2.3');
  assert.equal(displayValue('NaN'), 'NaN');
});

test('generate infers the format from --out: x.jsonl is one file, a name without extension a folder', () => {
  assert.equal(outputFormat('x.jsonl', undefined), 'jsonl');
  assert.equal(outputFormat('dir/X.NDJSON', undefined), 'jsonl');
  assert.equal(outputFormat('./demo-logs/', undefined), 's3');
  assert.equal(outputFormat('x.jsonl', 's3'), 's3');
  assert.throws(() => outputFormat('x.csv', undefined), { code: 'INVALID_ARGUMENT' });
  const dir = mkdtempSync(join(tmpdir(), 'cli-gen-'));
  const f = join(dir, 'x.jsonl');
  const r = run(['generate', '--preset', 'guide', '--out', f, '--end', '2026-11-01T00:00:00Z']);
  assert.equal(r.code, 0, r.err);
  assert.equal(readFileSync(f, 'utf8').trim().split('\n').length, 450);
});
