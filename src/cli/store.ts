import { existsSync } from 'node:fs';
import { defaultDbPath, Store, type OpenOptions } from '../store/store.js';
import { clientCommand } from '../control/context.js';
import { liveServer } from '../control/serverFile.js';
import { BiError, isBiError } from '../util/errors.js';
import type { StoreUse } from './options.js';
import { storeWaitSeconds } from './store-wait.js';

/**
 * The one way a command reaches its store. Every command that reads or writes a store goes
 * through `withStore` (or `storePathFor` when another module opens the file, as the server
 * does), so the rules are the same everywhere:
 * - a store that does not exist is refused (STORE_MISSING, naming the path and how to make one),
 *   except for the commands that create one (`ingest`, `sync`, `generate`'s demo, `demo`,
 *   `serve --create`): a mistyped --db must never become an empty store and a $0 statement;
 * - `optional` (check, doctor): no store is fine when none was named, but a path you name must exist.
 * - where the store is: in a server running the command for a client (src/control), a session on
 *   the server's open store; else the file itself, and when another process that is no server (an
 *   ingest) holds it, the command waits for it up to `--wait` seconds, saying so. (A command whose
 *   store a live `serve`/`demo` holds never gets here: main.ts's pre-action hook, forward.ts, sent
 *   the whole command line to that server, which then reaches its store here.)
 */

export interface StoreFlags {
  db?: string;
}

/** How to make a store, for the messages of a missing one. */
export const CREATE_HINT =
  'Create one from your logs with `npx bedrock-insights ingest PATH --db FILE`, or with demo data with `npx bedrock-insights demo --db FILE`';

/** The store's path for a command; refuses a missing store unless the command creates one. */
export function storePathFor(flags: StoreFlags, use: StoreUse): string {
  const path = defaultDbPath(flags.db);
  if (use === 'create' || path === ':memory:' || existsSync(path)) return path;
  const named = flags.db !== undefined ? '--db' : process.env.BEDROCK_INSIGHTS_DB ? '$BEDROCK_INSIGHTS_DB' : undefined;
  throw new BiError(
    'STORE_MISSING',
    `There is no store at ${path}${named ? ` (from ${named}: check the path)` : ''}. ${CREATE_HINT}.`,
    { path },
  );
}

/** Whether the command was told which store to use (--db or $BEDROCK_INSIGHTS_DB). */
function storeNamed(flags: StoreFlags): boolean {
  return flags.db !== undefined || Boolean(process.env.BEDROCK_INSIGHTS_DB);
}

/**
 * Opens the command's store, runs `fn`, closes it whatever happens. `read` opens read-only (it
 * works beside another reader); `write` and `create` read-write.
 */
export async function withStore<T>(
  flags: StoreFlags,
  use: Exclude<StoreUse, 'optional'>,
  fn: (store: Store) => Promise<T>,
  open: Omit<OpenOptions, 'readOnly'> = {},
): Promise<T> {
  const path = storePathFor(flags, use);
  const store = await openStore(path, { ...open, readOnly: use === 'read' });
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

/**
 * For commands that can work without a store (check: no field warnings; doctor: the AWS checks
 * only): `fn` gets undefined when no store was named (and, with `useDefault`, the default one does
 * not exist either). A store that was named must exist.
 */
export async function withOptionalStore<T>(
  flags: StoreFlags,
  useDefault: boolean,
  fn: (store: Store | undefined) => Promise<T>,
): Promise<T> {
  if (!storeNamed(flags) && (!useDefault || !existsSync(defaultDbPath(undefined)))) return fn(undefined);
  return withStore(flags, 'read', fn);
}

const POLL_MS = 250;

/** The store at `path`: the server's (a session) for a client's command, else the file, waited for. */
async function openStore(path: string, opts: OpenOptions): Promise<Store> {
  const client = clientCommand();
  if (client && client.storePath === path) return client.store(!opts.readOnly);
  const waitSeconds = storeWaitSeconds();
  const deadline = Date.now() + waitSeconds * 1000;
  let said = false;
  for (;;) {
    try {
      return await Store.open(path, opts);
    } catch (e) {
      if (!isBiError(e) || e.code !== 'STORE_LOCKED') throw e;
      if (liveServer(path))
        throw new BiError(
          'STORE_LOCKED',
          `A server started on ${path} while this command waited for it: run the command again (it then runs through the server).`,
        );
      if (Date.now() >= deadline)
        throw new BiError(
          'STORE_LOCKED',
          `${e.message}${waitSeconds > 0 ? ` Waited ${waitSeconds} s for it (--wait SECONDS waits longer).` : ''}`,
        );
      if (!said) {
        process.stderr.write(
          `The store ${path} is in use by another process (an ingest?): waiting up to ${waitSeconds} s for it (--wait SECONDS to change; Ctrl-C to stop)…\n`,
        );
        said = true;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
