import type { Command } from 'commander';
import { startServer, type RunningServer, type ServerOptions } from '../../api/server.js';
import { serverConfigPath } from '../../api/config.js';
import { cloudWatchApiForServe } from '../../cloudwatch/index.js';
import { BiError } from '../../util/errors.js';
import { parseSize, positiveInt } from '../../api/limits.js';
import { dbOption } from '../options.js';
import { untilSignal } from '../signals.js';
import { storePathFor } from '../store.js';
import { parseDuration } from '../time-range.js';
import { backgroundSyncMount } from './sync.js';
import { defaultDbPath } from '../../store/store.js';
import { ControlChannel } from '../../control/routes.js';
import { newControlToken, writeServerFile } from '../../control/serverFile.js';
import { runCommandLine } from '../self.js';

/** Bound addresses the control channel reaches on 127.0.0.1. */
const CONTROL_HOSTS = new Set(['127.0.0.1', 'localhost', '0.0.0.0', '::']);

export interface ServeFlags {
  db?: string;
  port?: string;
  host?: string;
  token?: string;
  accessKeys?: string;
  /** commander's --no-auth sets auth=false. */
  auth?: boolean;
  /** Run `sync` (the store's sources.json) in the background. */
  sync?: boolean;
  /** Host names the server is reached by, besides localhost and IP addresses. */
  allowHost?: string[];
  maxQueries?: string;
  queryTimeout?: string;
  memoryLimit?: string;
  /** --create: an empty store is created when none exists. */
  create?: boolean;
}

/** Lines to print once the server listens (also used by `demo`). Never prints request bodies. */
export function serveBanner(s: RunningServer): string {
  const lines = [`bedrock-insights console: ${s.url}/`];
  if (s.token) {
    lines.push(`Access token required (${s.tokenGenerated ? 'generated now, kept in' : 'from'} ${s.tokenSource}).`);
    lines.push(`Sign in: ${s.url}/login?token=${encodeURIComponent(s.token)}`);
    lines.push(`API clients: send "Authorization: Bearer ${s.token}".`);
  }
  lines.push('Press Ctrl-C to stop.');
  return lines.join('\n') + '\n';
}

export function parsePort(p: string | undefined): number {
  if (p === undefined) return 8080;
  const n = Number(p);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new BiError('INVALID_ARGUMENT', `--port ${p}: use a number from 0 to 65535 (0 picks a free port).`);
  return n;
}

/**
 * Serve until SIGINT/SIGTERM; resolves after a clean shutdown. The first signal stops gracefully
 * (running queries are cancelled, open requests get a moment to end); a second one, or a stop
 * that outlasts its deadline, exits at once (signals.ts).
 */
export async function serveUntilStopped(
  opts: ServerOptions,
  extraBanner = '',
  onListening?: (url: string) => void,
): Promise<void> {
  // The control channel: the CLI's commands on this store run here while the server holds it.
  const dbPath = opts.store ? opts.store.path : defaultDbPath(opts.dbPath);
  const token = newControlToken();
  const control = new ControlChannel({ token, run: runCommandLine });
  const mount = opts.mount;
  const server = await startServer({
    ...opts,
    mount: async (app, ctx) => {
      control.mount(app, ctx);
      if (mount) await mount(app, ctx);
    },
  });
  const removeServerFile =
    dbPath !== ':memory:' && CONTROL_HOSTS.has(server.host) ? writeServerFile(dbPath, server.port, token) : () => {};
  // Also when the process ends another way (an exception); kill -9 leaves it, and readers drop it.
  process.once('exit', removeServerFile);
  process.stdout.write(serveBanner(server) + extraBanner);
  onListening?.(`${server.url}/`);
  await untilSignal(async () => {
    control.cancelAll();
    await server.close();
    removeServerFile();
    process.off('exit', removeServerFile);
  });
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the web console and its API (127.0.0.1:8080 by default).')
    .addOption(dbOption('read'))
    .option('--create', 'create an empty store when there is none (to fill it with --sync or the CloudWatch Logs API)')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '8080')
    .option('--host <host>', 'address to bind; anything but loopback requires an access token', '127.0.0.1')
    .option(
      '--token <token>',
      'the access token (default: $BEDROCK_INSIGHTS_TOKEN, else generated once and kept in <store>.config.json)',
    )
    .option(
      '--access-keys <ID:SECRET,...>',
      'access keys for the CloudWatch Logs API on POST / (also $BEDROCK_INSIGHTS_ACCESS_KEYS or "accessKeys" in <store>.config.json); requests are verified with SigV4',
    )
    .option(
      '--no-auth',
      'serve the CloudWatch Logs API without SigV4 (only on a loopback address, for local development)',
    )
    .option(
      '--sync',
      'keep the store current from the sources in <store>.sources.json (see: npx bedrock-insights sync --help)',
    )
    .option(
      '--allow-host <name...>',
      'a host name the server is reached by (besides localhost and IP addresses); other Host headers are refused (DNS rebinding)',
    )
    .option('--max-queries <n>', 'queries that run at once; more wait in a queue (default 3, plus one express slot)')
    .option('--query-timeout <duration>', 'time limit of a console query, e.g. 90s, 5m, 1h (default 5m)')
    .option('--memory-limit <size>', "DuckDB's memory limit, e.g. 1GB (default 2GB; queries spill to disk beyond it)")
    .addHelpText(
      'after',
      `
The store must exist (ingest logs first, or try \`npx bedrock-insights demo\`), unless --create.
Examples:
  npx bedrock-insights serve                         # http://127.0.0.1:8080/, no token on loopback
  npx bedrock-insights serve --host 0.0.0.0 --port 9000   # reachable from the network: prints the access token
  curl -H "Authorization: Bearer $TOKEN" http://host:9000/api/log-groups
  BEDROCK_INSIGHTS_ACCESS_KEYS=AKIDLOCAL:secret npx bedrock-insights serve
  aws logs describe-log-groups --endpoint-url http://127.0.0.1:8080   # with AKIDLOCAL/secret as credentials`,
    )
    .action(async (flags: ServeFlags) => {
      const { opts, banner } = serverOptionsFrom(flags);
      if (flags.sync) opts.mount = backgroundSyncMount(opts.dbPath ?? storePathFor(flags, 'create'));
      await serveUntilStopped(opts, banner);
    });
}

/**
 * The server options of `serve` and `demo`: the console (token rules) and the CloudWatch Logs API
 * on POST / (SigV4 with the configured access keys; --no-auth only on loopback).
 */
export function serverOptionsFrom(flags: ServeFlags): { opts: ServerOptions; banner: string } {
  // The server opens the file itself (and reopens it after a fatal error): the path is checked here.
  const dbPath = storePathFor(flags, flags.create ? 'create' : 'read');
  const opts: ServerOptions = { port: parsePort(flags.port), host: flags.host ?? '127.0.0.1', dbPath };
  if (flags.token) opts.token = flags.token;
  if (flags.allowHost?.length) opts.allowHosts = flags.allowHost;
  const limits: NonNullable<ServerOptions['limits']> = {};
  if (flags.maxQueries !== undefined) limits.maxConcurrent = positiveInt(flags.maxQueries, '--max-queries');
  if (flags.queryTimeout !== undefined) limits.timeoutMs = parseDuration(flags.queryTimeout, '--query-timeout');
  if (flags.memoryLimit !== undefined) {
    parseSize(flags.memoryLimit, '--memory-limit');
    limits.memoryLimit = flags.memoryLimit;
  }
  if (Object.keys(limits).length > 0) opts.limits = limits;
  const cw = cloudWatchApiForServe({
    host: opts.host ?? '127.0.0.1',
    configPath: serverConfigPath(dbPath),
    ...(flags.accessKeys ? { accessKeys: flags.accessKeys } : {}),
    noAuth: flags.auth === false,
    // Failed requests and queries the server failed or dropped: one line each, no query data.
    log: (line) => process.stderr.write(`bedrock-insights: ${line}\n`),
  });
  opts.cloudWatchApi = cw.mount;
  return { opts, banner: cw.summary + '\n' };
}
