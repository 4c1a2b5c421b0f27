import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { clientCommand } from '../control/context.js';
import { serverFilePath } from '../control/server-path.js';
import { THROUGH_SERVER } from '../control/through-server.js';
import { defaultDbPath } from '../store/db-env.js';
import { RanThroughServer } from './self.js';

/** Options whose value is a file or folder: their placeholder says so (`--out <file>`). */
const PATH_VALUE = /<(file|path|dir)(\.\.\.)?>/;
/** Positional arguments that are files or folders (`ingest <path...>`). */
const PATH_ARGUMENT = /^(path|paths|file|dir)$/;

/**
 * When a server holds the command's store, runs the whole command line there and throws
 * RanThroughServer with its exit status; otherwise returns and the command runs here. Only
 * commands with a --db option use a store; the server runs what the command would run here.
 */
export async function runThroughServerIfHeld(action: Command, argv: string[]): Promise<void> {
  if (clientCommand()) return; // already in the server
  let top = action;
  while (top.parent?.parent) top = top.parent;
  if (!THROUGH_SERVER.has(top.name()) || !action.options.some((o) => o.long === '--db')) return;
  const db = action.optsWithGlobals<{ db?: unknown }>().db;
  const path = defaultDbPath(typeof db === 'string' ? db : undefined);
  // Most runs have no server: look for its file before loading the channel (zod, HTTP client),
  // which would cost every command, `check` without a store included, its start-up time.
  if (!existsSync(serverFilePath(path))) return;
  const { liveServer } = await import('../control/serverFile.js');
  const server = liveServer(path);
  if (!server) return;
  const { runThroughServer } = await import('../control/client.js');
  const stdin: { dir?: string } = {};
  try {
    const args = absoluteArgs(argv.slice(2), action, stdin);
    if (typeof db !== 'string') args.push('--db', path);
    if (process.stderr.isTTY)
      process.stderr.write(`(running through the server that holds ${path}, pid ${server.pid})\n`);
    throw new RanThroughServer(await runThroughServer(server, args));
  } finally {
    if (stdin.dir) rmSync(stdin.dir, { recursive: true, force: true });
  }
}

/**
 * The command line with every file and folder made absolute: the server runs in its own working
 * folder. `-` (standard input) becomes a private file holding what this process reads from it.
 */
function absoluteArgs(args: string[], action: Command, stdin: { dir?: string }): string[] {
  const pathFlags = new Set<string>();
  const valueFlags = new Set<string>();
  for (const o of [...action.options, ...(action.parent?.options ?? [])]) {
    const names = [o.long, o.short].filter((n): n is string => Boolean(n));
    if (o.required || o.optional) for (const n of names) valueFlags.add(n);
    if (PATH_VALUE.test(o.flags)) for (const n of names) pathFlags.add(n);
  }
  const pathArgs = new Set<string>();
  action.registeredArguments.forEach((a, i) => {
    if (!PATH_ARGUMENT.test(a.name())) return;
    const v: unknown = action.processedArgs[i];
    for (const p of Array.isArray(v) ? v : [v]) if (typeof p === 'string') pathArgs.add(p);
  });
  const abs = (p: string): string => {
    if (p === '-') {
      stdin.dir ??= mkdtempSync(join(tmpdir(), 'bedrock-insights-stdin-'));
      const file = join(stdin.dir, 'stdin');
      writeFileSync(file, readFileSync(0), { mode: 0o600 });
      return file;
    }
    return p.includes('://') ? p : resolve(p);
  };
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const t = args[i];
    const eq = t.indexOf('=');
    if (t.startsWith('--') && eq > 0 && pathFlags.has(t.slice(0, eq))) {
      out.push(`${t.slice(0, eq)}=${abs(t.slice(eq + 1))}`);
    } else if (pathFlags.has(t) && i + 1 < args.length) {
      out.push(t, abs(args[++i]));
    } else if (valueFlags.has(t) && i + 1 < args.length) {
      out.push(t, args[++i]);
    } else {
      out.push(!t.startsWith('-') && pathArgs.has(t) ? abs(t) : t);
    }
  }
  return out;
}
