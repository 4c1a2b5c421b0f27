import { AsyncLocalStorage } from 'node:async_hooks';
import type { Store } from '../store/store.js';

/**
 * A CLI command that a running server executes for a client over the control channel
 * (routes.ts). The commands are the same code as in a CLI process; what differs is reached
 * through this context: where their output goes, whether that is a terminal, what Ctrl-C is,
 * their exit status and the store they get. It is carried by AsyncLocalStorage, so that several
 * clients' commands and the server's own work run side by side in one process.
 */
export interface ClientCommand {
  /** Writes to the client's standard output or error; false asks the writer to wait for 'drain'. */
  write(stream: 'stdout' | 'stderr', text: string): boolean;
  /** The client's terminal: progress lines are drawn only when its stderr is one. */
  readonly tty: { readonly stdout: boolean; readonly stderr: boolean; readonly columns: number };
  /** Aborted when the client presses Ctrl-C or goes away: the command's Ctrl-C. */
  readonly signal: AbortSignal;
  /** The file of the server's store: a command asking for another file opens that one itself. */
  readonly storePath: string;
  /** A session on the server's store (its own connection); `write` waits for the server's write turn. */
  store(write: boolean): Promise<Store>;
  exitCode: number;
}

const current = new AsyncLocalStorage<ClientCommand>();

/** The client command being run, when this code runs for one inside a server. */
export function clientCommand(): ClientCommand | undefined {
  return current.getStore();
}

/** Runs `fn` as a client's command: its output, Ctrl-C and exit status are the client's. */
export function runForClient<T>(cmd: ClientCommand, fn: () => Promise<T>): Promise<T> {
  routeProcessStreams();
  return current.run(cmd, fn);
}

let routed = false;

/**
 * The commands write to process.stdout and process.stderr (and ask them whether they are a
 * terminal). In a server, a write made for a client command goes to that client; every other
 * write (the server's own messages) goes where it always went. Installed once, on first use.
 */
function routeProcessStreams(): void {
  if (routed) return;
  routed = true;
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const write = stream.write.bind(stream);
    const routedWrite = (chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
      const cmd = clientCommand();
      if (!cmd) return (write as (...a: unknown[]) => boolean)(chunk, encoding, cb);
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      const done = typeof encoding === 'function' ? encoding : cb;
      const ok = cmd.write(name, text);
      if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
      return ok;
    };
    stream.write = routedWrite;
    const own = { isTTY: stream.isTTY, columns: stream.columns };
    Object.defineProperty(stream, 'isTTY', {
      configurable: true,
      get: () => {
        const cmd = clientCommand();
        return cmd ? cmd.tty[name] : own.isTTY;
      },
      set: (v: boolean) => {
        own.isTTY = v;
      },
    });
    Object.defineProperty(stream, 'columns', {
      configurable: true,
      get: () => {
        const cmd = clientCommand();
        return cmd ? cmd.tty.columns : own.columns;
      },
      set: (v: number) => {
        own.columns = v;
      },
    });
  }
}

/**
 * One writer at a time: commands that write the store through a server take turns (two ingests
 * at once would each work, but interleaved chunks and pricing passes make their summaries and
 * progress meaningless). `busy` tells the caller that it will wait, so it can say so.
 */
export class Turns {
  private tail: Promise<void> = Promise.resolve();
  private holders = 0;

  get busy(): boolean {
    return this.holders > 0;
  }

  /** Resolves with the function that ends this turn once every earlier turn ended. */
  async take(): Promise<() => void> {
    this.holders++;
    const before = this.tail;
    let end!: () => void;
    this.tail = new Promise<void>((r) => (end = r));
    await before;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.holders--;
      end();
    };
  }
}
