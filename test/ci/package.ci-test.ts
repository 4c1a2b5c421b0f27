import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launchBrowser } from '../e2e/harness.js';

// Issue 16, first use, run by .ci/run (not by `npm test`: it installs from the npm registry and
// builds a second copy, minutes on a shared machine):
// 1. the repository is whole on its own: a clone into an empty folder with nothing beside it
//    installs (`npm ci`, which builds), passes a subset of its own tests (the ones a clone used to
//    fail: the repository's self-containment and the price book build), and its `demo` opens in
//    Chromium on a first screen with rows;
// 2. the package is whole: `npm pack` of that clone, installed into an empty folder, runs with
//    `npx bedrock-insights --version` and `npx bedrock-insights demo --no-open`.
// Only what is committed is cloned: commit before running it.

const work = mkdtempSync(join(tmpdir(), 'bi-first-use-'));
const clone = join(work, 'clone');
after(() => rmSync(work, { recursive: true, force: true }));

/** The folders of `npm test` the clone runs: fast, and the ones that read the repository's own files. */
const CLONE_TESTS = ['test/repo', 'test/pricing', 'test/logs'];

/** Each step's wall time, printed at the end: .ci/run must stay well within its 45 minutes. */
const took: string[] = [];
async function timed<T>(what: string, f: () => T | Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await f();
  } finally {
    took.push(`${what}: ${Math.round((Date.now() - t0) / 1000)} s`);
  }
}
after(() => console.log(`first use, wall time per step (shared machine):\n  ${took.join('\n  ')}`));

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

/**
 * Runs the demo (small, `--no-open`) until its console answers a query with rows, then `check` on
 * its URL (the browser), then stops it. Returns the rows' count.
 */
async function demoServesRows(
  command: string,
  args: string[],
  cwd: string,
  check?: (url: string) => Promise<void>,
): Promise<number> {
  const child = spawn(
    command,
    [...args, 'demo', '--no-open', '--port', '0', '--records', '2000', '--db', 'demo.duckdb'],
    {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: npx runs the bin as a child, and the stop must reach both.
      detached: true,
      env: { ...process.env, BEDROCK_INSIGHTS_DB: '' },
    },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  try {
    const url = await new Promise<string>((res, rej) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /console: (http:\/\/[^/\s]+)\//.exec(out);
        if (m) res(m[1]);
      });
      void exited.then((code) => rej(new Error(`demo exited (${code}) before serving: ${out}${err}`)));
    });
    const r = await fetch(`${url}/api/queries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        queryString: 'stats count(*) as n',
        startTime: 0,
        endTime: 4102444800000,
        waitMs: 60_000,
      }),
    });
    assert.equal(r.status, 200, await r.clone().text());
    const view = (await r.json()) as { status: string; rows: { n?: string }[] };
    assert.equal(view.status, 'Complete', JSON.stringify(view));
    if (check) await check(url);
    return Number(view.rows[0]?.n ?? 0);
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
    await exited;
  }
}

/** The console's first screen in Chromium shows rows (the range is chosen from the data). */
async function firstScreenShowsRows(url: string): Promise<void> {
  const browser = await launchBrowser();
  try {
    const page = await browser.ctx.newPage();
    await page.goto(`${url}/`);
    await page.waitForSelector('[data-testid="results-table"] tbody tr', { timeout: 120_000 });
    const rows = await page.$$('[data-testid="results-table"] tbody tr');
    assert.ok(rows.length > 0, 'the first screen shows rows');
    assert.equal(await page.$('[data-testid="empty-result"]'), null, 'the first screen is not the empty-result hint');
  } finally {
    await browser.close();
  }
}

test(
  'a bare clone installs with npm ci, passes its own tests, and its demo opens in Chromium with rows',
  { timeout: 30 * 60_000 },
  async () => {
    await timed('git clone', () => execFileSync('git', ['clone', '--quiet', resolve('.'), clone]));
    // Nothing beside the clone: a path outside the repository that a test or the build reads fails.
    assert.deepEqual(readdirSync(work), ['clone']);
    await timed('npm ci in the clone (builds)', () =>
      execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: clone, stdio: ['ignore', 'ignore', 'inherit'] }),
    );
    const report = await timed(`npm test subset in the clone (${CLONE_TESTS.join(', ')})`, () => {
      // Without NODE_TEST_CONTEXT: inherited from this test's own runner, it would make the
      // clone's runner report to a parent that is not listening (and pass in 2 s, having run nothing).
      const { NODE_TEST_CONTEXT: _, ...env } = process.env;
      return execFileSync(process.execPath, ['scripts/run-tests.mjs', ...CLONE_TESTS], {
        cwd: clone,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...env, BEDROCK_INSIGHTS_DB: '' },
        maxBuffer: 64 << 20,
      });
    });
    const passed = Number(/^ℹ pass (\d+)$/m.exec(report)?.[1] ?? 0);
    assert.ok(passed >= 50, `the clone's test subset ran ${passed} tests:\n${report.slice(-2000)}`);
    assert.match(report, /^ℹ fail 0$/m);
    const n = await timed('demo --no-open in the clone, first screen in Chromium', () =>
      demoServesRows(process.execPath, [join(clone, 'bin/bedrock-insights.js')], clone, firstScreenShowsRows),
    );
    assert.equal(n, 2000);
  },
);

test(
  'npm pack, installed into an empty folder: npx bedrock-insights --version and demo --no-open',
  { timeout: 20 * 60_000 },
  async () => {
    await timed('npm pack', () =>
      execFileSync('npm', ['pack', '--ignore-scripts', '--quiet', '--pack-destination', work], { cwd: clone }),
    );
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack wrote no tarball');
    const empty = join(work, 'empty');
    mkdirSync(empty);
    await timed('npm install of the tarball into an empty folder', () =>
      execFileSync('npm', ['install', '--no-audit', '--no-fund', join(work, tarball)], {
        cwd: empty,
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    );
    const v = execFileSync('npx', ['--no-install', 'bedrock-insights', '--version'], { cwd: empty, encoding: 'utf8' });
    assert.equal(v, `${version}\n`);
    const n = await timed('npx bedrock-insights demo --no-open from the tarball', () =>
      demoServesRows('npx', ['--no-install', 'bedrock-insights'], empty),
    );
    assert.equal(n, 2000);
  },
);
