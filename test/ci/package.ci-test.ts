import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Issue 16, first use, run by .ci/run (not by `npm test`: it installs from the npm registry and
// builds a second copy, minutes on a shared machine):
// 1. the repository is whole on its own: a clone into an empty folder with nothing beside it
//    installs (`npm ci`, which builds) and its `demo` serves rows;
// 2. the package is whole: `npm pack` of that clone, installed into an empty folder, runs with
//    `npx bedrock-insights --version` and `npx bedrock-insights demo --no-open`.
// Only what is committed is cloned: commit before running it.

const work = mkdtempSync(join(tmpdir(), 'bi-first-use-'));
const clone = join(work, 'clone');
after(() => rmSync(work, { recursive: true, force: true }));

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

/** Runs the demo (small, no browser) until its console answers a query with rows, then stops it. */
async function demoServesRows(command: string, args: string[], cwd: string): Promise<number> {
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
    return Number(view.rows[0]?.n ?? 0);
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
    await exited;
  }
}

test('a bare clone installs with npm ci and its demo serves rows', { timeout: 20 * 60_000 }, async () => {
  execFileSync('git', ['clone', '--quiet', resolve('.'), clone]);
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: clone, stdio: ['ignore', 'ignore', 'inherit'] });
  const n = await demoServesRows(process.execPath, [join(clone, 'bin/bedrock-insights.js')], clone);
  assert.equal(n, 2000);
});

test(
  'npm pack, installed into an empty folder: npx bedrock-insights --version and demo --no-open',
  { timeout: 20 * 60_000 },
  async () => {
    execFileSync('npm', ['pack', '--ignore-scripts', '--quiet', '--pack-destination', work], { cwd: clone });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack wrote no tarball');
    const empty = join(work, 'empty');
    mkdirSync(empty);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', join(work, tarball)], {
      cwd: empty,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const v = execFileSync('npx', ['--no-install', 'bedrock-insights', '--version'], { cwd: empty, encoding: 'utf8' });
    assert.equal(v, `${version}\n`);
    const n = await demoServesRows('npx', ['--no-install', 'bedrock-insights'], empty);
    assert.equal(n, 2000);
  },
);
