/**
 * A local single-node Trino for tests and for trying the S3-layout table: fetched with Maven from
 * Maven Central on first use (the server tarball and the Hive plugin only), cached outside the
 * repository, configured as one coordinator on 127.0.0.1 with a free port, a file metastore and
 * the local file system as the "bucket" (`local:///abs/path`). One instance per cache folder, shared
 * by every checkout on the machine: `start` reuses a running one, `stop` ends it.
 *
 * Layout of the cache (default ~/.cache/bedrock-insights/trino, or $BEDROCK_INSIGHTS_TRINO_HOME):
 *   <version>/server/           trino-server-core, unpacked
 *   <version>/plugin/hive/      the Hive connector plugin, unpacked (the only plugin loaded)
 *   run/etc, run/data           configuration and the server's data and logs (run/data/var/log)
 *   run/metastore               the file metastore (schemas and tables survive a restart)
 *   run/state.json, run/lock    the running server's pid and URL; the lock serialises start/stop
 *   run/holders/<pid>           one file per process that holds the server (its start time inside)
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BiError, errorMessage } from '../../util/errors.js';
import { TrinoClient } from './client.js';

/**
 * The newest Trino whose server tarball Maven Central serves to this project's machines (477 to
 * 483 do not resolve there; see src/engines/trino/README.md). It needs Java 24 or newer.
 */
export const TRINO_VERSION = '476';
export const MIN_JAVA = 24;
/** maven-dependency-plugin version for `copy` (the 2.x that Maven 3.8 defaults to has no outputDirectory for one artifact). */
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const ARTIFACTS = [
  { coords: `io.trino:trino-server-core:${TRINO_VERSION}:tar.gz`, file: `trino-server-core-${TRINO_VERSION}.tar.gz` },
  { coords: `io.trino:trino-hive:${TRINO_VERSION}:zip`, file: `trino-hive-${TRINO_VERSION}.zip` },
] as const;

export interface LocalTrinoOptions {
  /** Cache folder (default: $BEDROCK_INSIGHTS_TRINO_HOME, else $XDG_CACHE_HOME or ~/.cache, + bedrock-insights/trino). */
  home?: string;
  /** Progress lines for a person (stderr in the CLI). */
  log?: (line: string) => void;
  /** How long to wait for the server to accept queries (default 180 s: a cold JVM on a busy 2-core box). */
  startTimeoutMs?: number;
  /** JVM heap (default $BEDROCK_INSIGHTS_TRINO_HEAP or 1G). */
  heap?: string;
  /**
   * Hold the server for this live process (a test run): `releaseLocalTrino(pid)` stops it once the
   * last holder lets go, but only if a holder started it; a server someone started by hand stays.
   */
  holder?: number;
}

export interface InstallResult {
  dir: string;
  /** False when the cache already held this version. */
  downloaded: boolean;
  /** Bytes fetched from Maven (tarball + plugin zip). */
  downloadBytes: number;
  seconds: number;
}

export interface StartResult {
  url: string;
  pid: number;
  reused: boolean;
  install: InstallResult | null;
  /** Wall time of this call. */
  seconds: number;
}

interface RunState {
  pid: number;
  port: number;
  url: string;
  version: string;
  startedAt: string;
  /** Started for holders (tests): the last holder's release stops it. */
  forHolders: boolean;
}

export function trinoHome(o: LocalTrinoOptions = {}): string {
  if (o.home) return o.home;
  if (process.env.BEDROCK_INSIGHTS_TRINO_HOME) return process.env.BEDROCK_INSIGHTS_TRINO_HOME;
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'bedrock-insights', 'trino');
}

function runDir(home: string): string {
  return join(home, 'run');
}

// ---------------------------------------------------------------------------------------------
// Java and Maven

/** The major version `java -version` reports, or null when it does not run. */
function javaMajor(javaHome: string): number | null {
  const bin = join(javaHome, 'bin', 'java');
  if (!existsSync(bin)) return null;
  const r = spawnSync(bin, ['-version'], { encoding: 'utf8' });
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${r.stderr}${r.stdout}`);
  if (!m) return null;
  // Java 8 and older report 1.8.
  return m[1] === '1' ? Number(m[2]) : Number(m[1]);
}

/**
 * A JDK that runs Trino: $TRINO_JAVA_HOME, $JAVA_HOME, then the newest under /usr/lib/jvm (where
 * Debian and the Temurin packages install; the default `java` of such a machine is often older).
 */
export function findJava(): { javaHome: string; major: number } {
  const named = [process.env.TRINO_JAVA_HOME, process.env.JAVA_HOME].filter((v): v is string => !!v);
  const seen: string[] = [];
  for (const home of named) {
    const major = javaMajor(home);
    seen.push(`${home} (${major ?? 'no java'})`);
    if (major !== null && major >= MIN_JAVA) return { javaHome: home, major };
  }
  const jvmRoot = '/usr/lib/jvm';
  const installed = existsSync(jvmRoot)
    ? readdirSync(jvmRoot)
        .map((n) => join(jvmRoot, n))
        .map((home) => ({ javaHome: home, major: javaMajor(home) }))
        .filter((j): j is { javaHome: string; major: number } => j.major !== null)
        .sort((a, b) => b.major - a.major)
    : [];
  for (const j of installed) seen.push(`${j.javaHome} (${j.major})`);
  const best = installed[0];
  if (best && best.major >= MIN_JAVA) return best;
  throw new BiError(
    'TRINO_JAVA_MISSING',
    `Trino ${TRINO_VERSION} needs Java ${MIN_JAVA} or newer and none was found (looked at: ${seen.join(', ') || 'nothing'}). Install a JDK ${MIN_JAVA}+ (for example Temurin 25) and set TRINO_JAVA_HOME to it.`,
  );
}

function requireMaven(): void {
  const r = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    throw new BiError(
      'TRINO_MAVEN_MISSING',
      'Maven (mvn) is needed once, to fetch Trino from Maven Central; install it (Debian: apt-get install maven) and run again.',
    );
}

/** Runs a command to its end; rejects with a coded error carrying the last lines of its output. */
function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; what: string }): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (d: Buffer): void => {
      out = (out + d.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => reject(new BiError('TRINO_INSTALL_FAILED', `Cannot ${opts.what}: ${errorMessage(e)}`)));
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else
        reject(
          new BiError(
            'TRINO_INSTALL_FAILED',
            `Cannot ${opts.what} (exit ${code}):\n${out.trim().split('\n').slice(-15).join('\n')}`,
          ),
        );
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Install

function versionDir(home: string): string {
  return join(home, TRINO_VERSION);
}

/** Fetches and unpacks Trino into the cache unless it is there already. Call under the lock. */
export async function installTrino(o: LocalTrinoOptions = {}): Promise<InstallResult> {
  const home = trinoHome(o);
  const dir = versionDir(home);
  const marker = join(dir, 'installed.json');
  if (existsSync(marker)) return { dir, downloaded: false, downloadBytes: 0, seconds: 0 };
  requireMaven();
  const { javaHome } = findJava();
  const started = Date.now();
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const dl = join(tmp, 'download');
  mkdirSync(dl, { recursive: true });
  let downloadBytes = 0;
  for (const a of ARTIFACTS) {
    o.log?.(`Fetching ${a.coords} with Maven…`);
    await run('mvn', ['-B', '-q', `${DEPENDENCY_PLUGIN}:copy`, `-Dartifact=${a.coords}`, `-DoutputDirectory=${dl}`], {
      cwd: tmp,
      what: `fetch ${a.coords} with Maven`,
    });
    downloadBytes += statSync(join(dl, a.file)).size;
  }
  o.log?.('Unpacking…');
  await run('tar', ['-xzf', join(dl, ARTIFACTS[0].file), '-C', tmp], { cwd: tmp, what: 'unpack the Trino server' });
  renameSync(join(tmp, `trino-server-core-${TRINO_VERSION}`), join(tmp, 'server'));
  const plugins = join(tmp, 'plugin');
  mkdirSync(plugins);
  // `jar` (from the JDK Trino needs anyway) unpacks zips where `unzip` may not be installed.
  await run(join(javaHome, 'bin', 'jar'), ['xf', join(dl, ARTIFACTS[1].file)], {
    cwd: plugins,
    what: 'unpack the Trino Hive plugin',
  });
  renameSync(join(plugins, `trino-hive-${TRINO_VERSION}`), join(plugins, 'hive'));
  rmSync(dl, { recursive: true, force: true });
  const seconds = (Date.now() - started) / 1000;
  writeFileSync(
    join(tmp, 'installed.json'),
    JSON.stringify({ version: TRINO_VERSION, downloadBytes, seconds, at: new Date().toISOString() }, null, 2),
  );
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { dir, downloaded: true, downloadBytes, seconds };
}

// ---------------------------------------------------------------------------------------------
// Configuration

function heapMegabytes(heap: string): number {
  const m = /^(\d+)([mMgG])$/.exec(heap);
  if (!m) throw new BiError('INVALID_ARGUMENT', `The Trino heap must look like 1G or 1536M (got "${heap}").`);
  return Number(m[1]) * (m[2].toLowerCase() === 'g' ? 1024 : 1);
}

/** The files of etc/: one coordinator that also runs tasks, bound to 127.0.0.1, with small memory. */
export function renderConfig(o: { port: number; run: string; install: string; heap: string }): Record<string, string> {
  const heapMb = heapMegabytes(o.heap);
  // Trino keeps 30% of the heap as headroom; queries get half of it, which leaves room for both.
  const queryMb = Math.floor(heapMb / 2);
  return {
    'node.properties': [
      'node.environment=bedrock_insights',
      'node.id=bedrock-insights-local',
      `node.data-dir=${join(o.run, 'data')}`,
      'node.bind-ip=127.0.0.1',
      'node.internal-address=127.0.0.1',
    ].join('\n'),
    'jvm.config': [
      '-server',
      `-Xmx${heapMb}M`,
      '-XX:+UseG1GC',
      '-XX:+ExitOnOutOfMemoryError',
      '-XX:-OmitStackTraceInFastThrow',
      '-XX:ReservedCodeCacheSize=256M',
      '-XX:+EnableDynamicAgentLoading',
      '-Djdk.attach.allowAttachSelf=true',
      '-Dfile.encoding=UTF-8',
    ].join('\n'),
    'config.properties': [
      'coordinator=true',
      'node-scheduler.include-coordinator=true',
      `http-server.http.port=${o.port}`,
      `discovery.uri=http://127.0.0.1:${o.port}`,
      `plugin.dir=${join(o.install, 'plugin')}`,
      `query.max-memory=${queryMb}MB`,
      `query.max-memory-per-node=${queryMb}MB`,
      // Two cores: more worker threads would only queue.
      'task.max-worker-threads=4',
    ].join('\n'),
    'log.properties': 'io.trino=INFO',
    'catalog/hive.properties': [
      'connector.name=hive',
      'hive.metastore=file',
      `hive.metastore.catalog.dir=local://${join(o.run, 'metastore')}`,
      'fs.native-local.enabled=true',
      // local:///abs/path names /abs/path: the whole local file system is the "bucket".
      'local.location=/',
      // S3 has no folders, so an hour without objects is simply empty there; on a local disk the
      // projected hour folder may not exist, which must read as empty too, not fail the query.
      'hive.ignore-absent-partitions=true',
    ].join('\n'),
  };
}

function writeConfig(files: Record<string, string>, etc: string): void {
  rmSync(etc, { recursive: true, force: true });
  mkdirSync(join(etc, 'catalog'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(etc, name), `${text}\n`);
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePromise(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Process state and the lock

function writeState(home: string, state: RunState): void {
  writeFileSync(join(runDir(home), 'state.json'), JSON.stringify(state, null, 2));
}

function holdersDir(home: string): string {
  return join(runDir(home), 'holders');
}

function hold(home: string, pid: number): void {
  mkdirSync(holdersDir(home), { recursive: true });
  // The holder's start time beside its pid: a pid the kernel gave to another process later is not the holder.
  writeFileSync(join(holdersDir(home), String(pid)), processIdentity(pid));
}

/** Holders whose process is still alive (a crashed test run leaves a file that no longer counts). */
function liveHolders(home: string): number[] {
  if (!existsSync(holdersDir(home))) return [];
  return readdirSync(holdersDir(home))
    .map(Number)
    .filter((pid) => {
      const file = join(holdersDir(home), String(pid));
      let recorded: string;
      try {
        recorded = readFileSync(file, 'utf8');
      } catch {
        return false; // released meanwhile
      }
      if (Number.isInteger(pid) && pid > 0 && sameProcess(pid, recorded)) return true;
      rmSync(file, { force: true });
      return false;
    });
}

function readState(home: string): RunState | null {
  try {
    return JSON.parse(readFileSync(join(runDir(home), 'state.json'), 'utf8')) as RunState;
  } catch {
    return null;
  }
}

/** True when `pid` is alive and is the Trino of this cache (not a recycled pid of something else). */
function isOurTrino(pid: number, home: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(`node.data-dir=${join(runDir(home), 'data')}`);
  } catch {
    return true; // no /proc (macOS): the pid is alive, trust the state file
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Who `pid` is: its start time since boot (field 22 of /proc/<pid>/stat), '' without /proc
 * (macOS) or when it is gone. A pid alone is reused by the kernel: a holder or a lock owner that
 * died long ago would otherwise count as alive when an unrelated process gets its number.
 */
function processIdentity(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

/** True when `pid` is alive and is the process that recorded `identity` (a recorded '' trusts the pid). */
function sameProcess(pid: number, identity: string): boolean {
  if (!pidAlive(pid)) return false;
  return identity === '' || processIdentity(pid) === identity;
}

/** The lock's owner as written in the lock file: `pid start-time`. */
function ownerOf(text: string): { pid: number; identity: string } {
  const [pid, identity] = text.trim().split(' ');
  return { pid: Number(pid || '0'), identity: identity ?? '' };
}

/** A takeover guard older than this was left by a process that died inside a few statements. */
const TAKEOVER_STALE_MS = 10_000;

/**
 * Removes the lock file if it still holds `seen` (an owner found dead). Two processes may find
 * the same dead owner: both removing "the lock" by name would let the slower one remove the
 * lock the faster one has just taken. So the removal happens under a second exclusive file,
 * and only while the lock still holds what was seen dead.
 */
function removeStaleLock(lock: string, seen: string): void {
  const guard = `${lock}.takeover`;
  try {
    closeSync(openSync(guard, 'wx'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    try {
      if (Date.now() - statSync(guard).mtimeMs > TAKEOVER_STALE_MS) rmSync(guard, { force: true });
    } catch {
      /* removed meanwhile */
    }
    return; // another process is taking over; the caller tries again
  }
  try {
    let now = '';
    try {
      now = readFileSync(lock, 'utf8');
    } catch {
      return; // gone already
    }
    if (now === seen) rmSync(lock, { force: true });
  } finally {
    rmSync(guard, { force: true });
  }
}

/**
 * Serialises start, stop, release and install across processes (test files and test runs of
 * several checkouts start and stop the one Trino at once): an exclusive lock file (O_EXCL)
 * holding the owner's pid and start time; a lock whose owner died (or whose pid now belongs to
 * another process) is taken over, by one process only. Exported for the lock's own tests.
 */
export async function withTrinoLock<T>(home: string, fn: () => Promise<T>, waitMs = 20 * 60_000): Promise<T> {
  const dir = runDir(home);
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, 'lock');
  const me = `${process.pid} ${processIdentity(process.pid)}`;
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, me);
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let seen: string;
      try {
        seen = readFileSync(lock, 'utf8');
      } catch {
        continue; // released between the two calls
      }
      const owner = ownerOf(seen);
      // An empty file is a lock being written this instant: its owner is alive.
      if (owner.pid > 0 && !sameProcess(owner.pid, owner.identity)) {
        removeStaleLock(lock, seen);
        continue;
      }
      if (Date.now() > until)
        throw new BiError('TRINO_BUSY', `Another process (pid ${owner.pid}) holds ${lock}; try again when it is done.`);
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 150));
    }
  }
  try {
    return await fn();
  } finally {
    // Only our own lock: never one a takeover gave to somebody else.
    try {
      if (readFileSync(lock, 'utf8') === me) rmSync(lock, { force: true });
    } catch {
      /* already gone */
    }
  }
}

/**
 * Trino servers of this cache the state file does not name: a start killed between the
 * launcher and the state file, or a state file removed by hand. Two servers on one data folder
 * and metastore answer for each other's tables; they are stopped before one is started.
 */
function strayTrinos(home: string, except?: number): number[] {
  if (!existsSync('/proc')) return [];
  const marker = `node.data-dir=${join(runDir(home), 'data')}`;
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0 || pid === except || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) found.push(pid);
    } catch {
      /* gone, or not ours to read */
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Start, stop, status

/** True when the coordinator at `url` has finished starting and answers a query. */
async function acceptsQueries(url: string): Promise<boolean> {
  try {
    const info = (await (await fetch(`${url}/v1/info`, { signal: AbortSignal.timeout(5000) })).json()) as {
      starting?: boolean;
    };
    if (info.starting !== false) return false;
    const r = await new TrinoClient({ url, timeoutMs: 30_000 }).query('SELECT 1');
    return r.rows[0]?.[0] === 1;
  } catch {
    return false;
  }
}

function serverLogTail(home: string): string {
  for (const name of ['server.log', 'launcher.log']) {
    try {
      const text = readFileSync(join(runDir(home), 'data', 'var', 'log', name), 'utf8');
      const lines = text.trim().split('\n');
      const errors = lines.filter((l) => /ERROR|Exception|Error:/.test(l)).slice(-5);
      return (errors.length > 0 ? errors : lines.slice(-10)).join('\n');
    } catch {
      /* try the next log */
    }
  }
  return '(no server log)';
}

/** Starts the local Trino, or returns the running one; resolves once it accepts queries. */
export async function startLocalTrino(o: LocalTrinoOptions = {}): Promise<StartResult> {
  const home = trinoHome(o);
  const started = Date.now();
  return withTrinoLock(home, async () => {
    const state = readState(home);
    if (state && isOurTrino(state.pid, home)) {
      if (await acceptsQueries(state.url)) {
        if (o.holder !== undefined) hold(home, o.holder);
        // Asked for by hand: it is someone's now, so no test's release may stop it.
        else if (state.forHolders) writeState(home, { ...state, forHolders: false });
        return { url: state.url, pid: state.pid, reused: true, install: null, seconds: (Date.now() - started) / 1000 };
      }
      const holders = liveHolders(home).filter((h) => h !== o.holder);
      if (holders.length > 0) {
        // Others use it: on a loaded machine it is slow, not hung. Killing it would fail their
        // runs midway; wait for it as for a start.
        const until = Date.now() + (o.startTimeoutMs ?? 180_000);
        while (isOurTrino(state.pid, home) && Date.now() < until) {
          if (await acceptsQueries(state.url)) {
            if (o.holder !== undefined) hold(home, o.holder);
            return {
              url: state.url,
              pid: state.pid,
              reused: true,
              install: null,
              seconds: (Date.now() - started) / 1000,
            };
          }
          await new Promise((r) => setTimeout(r, 1000));
        }
        if (isOurTrino(state.pid, home))
          throw new BiError(
            'TRINO_START_FAILED',
            `The local Trino (pid ${state.pid}) does not answer, and processes ${holders.join(', ')} use it, so it was left running. Stop it with \`trino stop --force\` once they are done. From its log:\n${serverLogTail(home)}`,
          );
      } else {
        // Alive but not answering and nobody else uses it (hung, or left by a killed run): replace it.
        await killAndWait(state.pid);
      }
    }
    // A server the state file does not name (a start killed before writing it) would share the
    // data folder and metastore with the new one.
    for (const stray of strayTrinos(home)) {
      o.log?.(`Stopping a Trino of this cache that no state file names (pid ${stray})…`);
      await killAndWait(stray);
    }
    const install = await installTrino(o);
    const { javaHome } = findJava();
    const dir = runDir(home);
    const port = await freePort();
    const heap = o.heap ?? process.env.BEDROCK_INSIGHTS_TRINO_HEAP ?? '1G';
    const etc = join(dir, 'etc');
    writeConfig(renderConfig({ port, run: dir, install: install.dir, heap }), etc);
    mkdirSync(join(dir, 'data'), { recursive: true });
    mkdirSync(join(dir, 'metastore'), { recursive: true });
    const pidFile = join(dir, 'pid');
    rmSync(pidFile, { force: true });
    o.log?.(`Starting Trino ${TRINO_VERSION} on 127.0.0.1:${port} (Java ${javaHome})…`);
    // The launcher forks the JVM in the background and returns; it picks java from JAVA_HOME/PATH.
    await run(
      join(install.dir, 'server', 'bin', 'launcher'),
      ['start', '--etc-dir', etc, '--data-dir', join(dir, 'data'), '--pid-file', pidFile],
      {
        cwd: dir,
        env: { ...process.env, JAVA_HOME: javaHome, PATH: `${join(javaHome, 'bin')}:${process.env.PATH ?? ''}` },
        what: 'start Trino with its launcher',
      },
    ).catch((e: unknown) => {
      throw new BiError('TRINO_START_FAILED', `${errorMessage(e)}\n${serverLogTail(home)}`);
    });
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    const url = `http://127.0.0.1:${port}`;
    writeState(home, {
      pid,
      port,
      url,
      version: TRINO_VERSION,
      startedAt: new Date().toISOString(),
      forHolders: o.holder !== undefined,
    });
    if (o.holder !== undefined) hold(home, o.holder);
    const until = Date.now() + (o.startTimeoutMs ?? 180_000);
    while (!(await acceptsQueries(url))) {
      if (!pidAlive(pid))
        throw new BiError('TRINO_START_FAILED', `Trino exited while starting. From its log:\n${serverLogTail(home)}`);
      if (Date.now() > until) {
        await killAndWait(pid);
        throw new BiError(
          'TRINO_START_FAILED',
          `Trino did not accept queries within ${Math.round((o.startTimeoutMs ?? 180_000) / 1000)} s; it was stopped. From its log:\n${serverLogTail(home)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    return { url, pid, reused: false, install, seconds: (Date.now() - started) / 1000 };
  });
}

async function killAndWait(pid: number): Promise<void> {
  const signal = (s: NodeJS.Signals): void => {
    try {
      process.kill(pid, s);
    } catch {
      /* already gone */
    }
  };
  signal('SIGTERM');
  const until = Date.now() + 30_000;
  while (pidAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  if (pidAlive(pid)) {
    signal('SIGKILL');
    while (pidAlive(pid)) await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Stops the local Trino of this cache; `stopped` is false when none was running. While live
 * processes hold it (test runs, CI) it is refused with TRINO_IN_USE unless `force`: one run's
 * stop must not end the server another run is querying.
 */
export async function stopLocalTrino(
  o: LocalTrinoOptions & { force?: boolean } = {},
): Promise<{ stopped: boolean; pid?: number }> {
  const home = trinoHome(o);
  return withTrinoLock(home, async () => {
    const state = readState(home);
    const running = state !== null && isOurTrino(state.pid, home);
    const holders = liveHolders(home);
    if (running && holders.length > 0 && !o.force)
      throw new BiError(
        'TRINO_IN_USE',
        `The local Trino (pid ${state.pid}) is held by running processes ${holders.join(', ')} (test runs); it stops when the last of them lets go. Use --force to stop it anyway.`,
      );
    rmSync(join(runDir(home), 'state.json'), { force: true });
    if (o.force) rmSync(holdersDir(home), { recursive: true, force: true });
    for (const stray of strayTrinos(home, running ? state.pid : undefined)) await killAndWait(stray);
    if (!running) return { stopped: false };
    await killAndWait(state.pid);
    return { stopped: true, pid: state.pid };
  });
}

/**
 * Lets go of a server held by `holder` (see LocalTrinoOptions.holder); stops it when it was
 * started for holders and no live holder remains. A server someone started by hand stays.
 */
export async function releaseLocalTrino(holder: number, o: LocalTrinoOptions = {}): Promise<{ stopped: boolean }> {
  const home = trinoHome(o);
  return withTrinoLock(home, async () => {
    rmSync(join(holdersDir(home), String(holder)), { force: true });
    const state = readState(home);
    if (!state || !state.forHolders || liveHolders(home).length > 0) return { stopped: false };
    rmSync(join(runDir(home), 'state.json'), { force: true });
    const running = isOurTrino(state.pid, home);
    for (const stray of strayTrinos(home, running ? state.pid : undefined)) await killAndWait(stray);
    if (running) await killAndWait(state.pid);
    return { stopped: running };
  });
}

/** The running local Trino's URL and pid, or null. Does not start anything. */
export async function localTrinoStatus(o: LocalTrinoOptions = {}): Promise<{ url: string; pid: number } | null> {
  const home = trinoHome(o);
  const state = readState(home);
  if (!state || !isOurTrino(state.pid, home) || !(await acceptsQueries(state.url))) return null;
  return { url: state.url, pid: state.pid };
}
