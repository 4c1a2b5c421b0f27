import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../store/store.js';
import { Turns, runForClient, type ClientCommand } from './context.js';
import {
  CANCEL_PATH,
  CancelRequestSchema,
  RUN_PATH,
  RunRequestSchema,
  THROUGH_SERVER,
  TOKEN_HEADER,
  type Frame,
} from './protocol.js';

export interface ControlOptions {
  /** The token in `<store>.server.json`; a request without it is refused. */
  token: string;
  /** Runs a CLI command line (the CLI's main, injected: the control room is below the CLI). */
  run: (args: string[]) => Promise<number>;
}

/** What a route of this server needs of it (the store of the current generation). */
export interface ControlMountContext {
  store: Store;
}

function tokenMatches(presented: unknown, token: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function loopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

/**
 * The control routes. They sit behind the console's request guard like every route (Host and
 * Origin), skip the console's token (`auth: 'none'`) and require their own, which only a process
 * that can read `<store>.server.json` has, from a loopback address. One instance per server: the
 * runs and the write turns outlive a reopened store's rebuilt routes.
 */
export class ControlChannel {
  private readonly runs = new Map<string, AbortController>();
  private readonly turns = new Turns();

  constructor(private readonly opts: ControlOptions) {}

  /** Registers the routes on one generation of the server's app. */
  mount(app: FastifyInstance, ctx: ControlMountContext): void {
    const refuse = (req: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
      if (!loopback(req.socket.remoteAddress))
        return reply
          .code(403)
          .send({ error: { code: 'CONTROL_REFUSED', message: 'The control channel answers loopback clients only.' } });
      if (!tokenMatches(req.headers[TOKEN_HEADER], this.opts.token))
        return reply.code(401).send({
          error: {
            code: 'CONTROL_TOKEN',
            message: `The control channel requires the token in the store's server.json (header ${TOKEN_HEADER}).`,
          },
        });
      return undefined;
    };
    // Stopping (or reopening the store) cancels the clients' commands first, as Ctrl-C would.
    app.addHook('preClose', async () => this.cancelAll());
    app.post(RUN_PATH, { config: { auth: 'none' } }, async (req, reply) => {
      if (refuse(req, reply)) return reply;
      const body = RunRequestSchema.safeParse(req.body);
      if (!body.success)
        return reply.code(400).send({ error: { code: 'INVALID_REQUEST', message: body.error.message } });
      const [command] = body.data.args;
      if (!THROUGH_SERVER.has(command))
        return reply.code(400).send({
          error: { code: 'CONTROL_COMMAND', message: `"${command}" does not run through a server.` },
        });
      await this.run(ctx, body.data.args, body.data.tty, reply);
      return reply;
    });
    app.post(CANCEL_PATH, { config: { auth: 'none' } }, async (req, reply) => {
      if (refuse(req, reply)) return reply;
      const body = CancelRequestSchema.safeParse(req.body);
      if (!body.success)
        return reply.code(400).send({ error: { code: 'INVALID_REQUEST', message: body.error.message } });
      const run = this.runs.get(body.data.run);
      run?.abort();
      return reply.send({ cancelled: Boolean(run) });
    });
  }

  /** Cancels every command running for a client (the server stops). */
  cancelAll(): void {
    for (const r of this.runs.values()) r.abort();
  }

  private async run(
    ctx: ControlMountContext,
    args: string[],
    tty: ClientCommand['tty'],
    reply: FastifyReply,
  ): Promise<void> {
    const id = randomUUID();
    const abort = new AbortController();
    this.runs.set(id, abort);
    const res = reply.hijack().raw;
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    let finished = false;
    // A client that goes away (closed terminal, kill) cancels its command like Ctrl-C.
    res.on('close', () => {
      if (!finished) abort.abort();
    });
    const send = (f: Frame): boolean => (res.writableEnded ? true : res.write(JSON.stringify(f) + '\n'));
    // A full socket makes the command wait, as a full pipe does in a CLI process (see context.ts).
    res.on('drain', () => {
      process.stdout.emit('drain');
      process.stderr.emit('drain');
    });
    send({ run: id });
    const sessions: Store[] = [];
    let endTurn: (() => void) | undefined;
    const turns = this.turns;
    const cmd: ClientCommand = {
      write: (stream, text) => send({ stream, text }),
      tty,
      signal: abort.signal,
      exitCode: 0,
      storePath: ctx.store.path,
      async store(write: boolean): Promise<Store> {
        if (write && !endTurn) {
          if (turns.busy)
            process.stderr.write(
              'Another command is writing this store through the server: waiting for it to finish…\n',
            );
          endTurn = await turns.take();
        }
        const s = await ctx.store.session();
        sessions.push(s);
        return s;
      },
    };
    let exit = 2;
    try {
      exit = await runForClient(cmd, () => this.opts.run(args));
    } finally {
      finished = true;
      for (const s of sessions) s.close();
      endTurn?.();
      this.runs.delete(id);
      send({ exit });
      res.end();
    }
  }
}
