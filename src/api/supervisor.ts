import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.js';
import { errorMessage } from '../util/errors.js';
import type { RequestGuard } from './requestGuard.js';

/**
 * What the server builds over one open store: the Fastify app with every route, and whatever
 * must be closed with it. Built again when the store has to be reopened.
 */
export interface Generation {
  app: FastifyInstance;
  store: Store;
  /** Starts what runs only while serving (the alarm scheduler). */
  startServing(): void;
  /** Cancels the running console queries (a stop begins with this). */
  stopQueries(): Promise<void>;
  /** Closes the app (queries, CloudWatch API, alarms, sync), the engine and the store. */
  close(): Promise<void>;
}

export type StoreState = 'ok' | 'reopening';

export interface SupervisorOptions {
  build: () => Promise<Generation>;
  guard: RequestGuard;
  /** What /api/info says while the store is reopened. */
  info: () => Record<string, unknown>;
  log?: (line: string) => void;
  /** How often the store is probed while nothing fails (ms). */
  probeEveryMs?: number;
  /** First delay between attempts to reopen (doubling up to 10 s). */
  retryMs?: number;
}

const CLOSE_WAIT_MS = 10_000;

/**
 * Keeps one HTTP listener in front of the current generation. DuckDB invalidates a database
 * after a fatal error (the checkpoint after a commit failed on a full disk): from then on every
 * statement on every connection fails until the store is opened again. The supervisor notices
 * (a probe after every 5xx answer and every few seconds), answers 503 while it closes the old
 * generation and reopens the store (retrying until there is space again), then builds the
 * routes over the new store and serves again. Nothing acknowledged is lost: DuckDB replays its
 * WAL on open, and a commit it reported durable was acknowledged as such.
 */
export class ServerSupervisor {
  private current: Generation | undefined;
  private state: StoreState = 'ok';
  private lastError: string | undefined;
  private since = 0;
  private checking = false;
  private stopping = false;
  private recovering: Promise<void> | undefined;
  private inflight = new Map<Generation, number>();
  private readonly probe: NodeJS.Timeout;
  private readonly log: (line: string) => void;

  constructor(
    first: Generation,
    private readonly o: SupervisorOptions,
  ) {
    this.current = first;
    this.log = o.log ?? ((line) => process.stderr.write(`bedrock-insights: ${line}\n`));
    this.probe = setInterval(() => this.notice('probe'), o.probeEveryMs ?? 5_000);
    this.probe.unref();
  }

  /** The app serving now (undefined while the store is reopened). */
  get app(): FastifyInstance | undefined {
    return this.state === 'ok' ? this.current?.app : undefined;
  }

  status(): { state: StoreState; error?: string; since?: number } {
    return {
      state: this.state,
      ...(this.lastError !== undefined ? { error: this.lastError } : {}),
      ...(this.state === 'reopening' ? { since: this.since } : {}),
    };
  }

  /** Every request of the listener comes here. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const gen = this.state === 'ok' ? this.current : undefined;
    if (!gen) return this.maintenance(req, res);
    this.inflight.set(gen, (this.inflight.get(gen) ?? 0) + 1);
    res.once('close', () => this.inflight.set(gen, (this.inflight.get(gen) ?? 1) - 1));
    gen.app.routing(req, res);
  };

  /**
   * Something failed in a way that may mean the store is invalidated (a 5xx answer, a query that
   * failed so): probe it, once at a time.
   */
  notice(_reason: string): void {
    if (this.state !== 'ok' || this.checking || this.stopping || !this.current) return;
    const gen = this.current;
    this.checking = true;
    void gen.store
      .invalidation()
      .catch(() => undefined) // busy or locked is not the store's health
      .then((problem) => {
        this.checking = false;
        if (problem !== undefined && this.current === gen && this.state === 'ok')
          this.recovering = this.recover(gen, problem);
      });
  }

  async stopQueries(): Promise<void> {
    await this.current?.stopQueries().catch(() => undefined);
  }

  /** Stop probing and close the current generation (after the listener stopped taking requests). */
  async close(): Promise<void> {
    this.stopping = true;
    clearInterval(this.probe);
    await this.recovering?.catch(() => undefined);
    const gen = this.current;
    this.current = undefined;
    await gen?.close();
  }

  private async recover(old: Generation, problem: string): Promise<void> {
    this.state = 'reopening';
    this.since = Date.now();
    this.lastError = `DuckDB invalidated the store: ${problem}`;
    this.log(`the store ${old.store.path} was invalidated by DuckDB (${problem}); reopening it`);
    // Requests already inside the old routes end quickly (every statement fails); wait for them
    // so the store is not closed under a running statement.
    const deadline = Date.now() + CLOSE_WAIT_MS;
    while ((this.inflight.get(old) ?? 0) > 0 && Date.now() < deadline) await sleep(20);
    await Promise.race([old.close().catch(() => undefined), sleep(CLOSE_WAIT_MS)]);
    // A store the caller opened is closed too: it is dead, and a second instance of the same file
    // in this process must not run beside it.
    old.store.close();
    this.inflight.delete(old);
    let wait = this.o.retryMs ?? 1_000;
    for (;;) {
      if (this.stopping) return;
      try {
        const gen = await this.o.build();
        if (this.stopping) {
          await gen.close();
          return;
        }
        await gen.app.ready();
        gen.startServing();
        this.current = gen;
        this.state = 'ok';
        this.lastError = undefined;
        this.log(`the store ${gen.store.path} is open again; serving`);
        return;
      } catch (e) {
        this.lastError = `reopening the store failed: ${errorMessage(e).split('\n')[0]}; retrying`;
        await sleep(wait);
        wait = Math.min(wait * 2, 10_000);
      }
    }
  }

  /** Answers while the store is reopened: 503 (AWS-shaped on POST /), and the state on /api/info. */
  private maintenance(req: IncomingMessage, res: ServerResponse): void {
    const refusal = this.o.guard.check(req);
    const send = (status: number, type: string, body: unknown, extra: Record<string, string> = {}): void => {
      req.resume(); // the body is not read
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...extra }).end(JSON.stringify(body));
    };
    if (refusal)
      return send(refusal.status, 'application/json', { error: { code: refusal.code, message: refusal.message } });
    const message = `The store is being reopened after a fatal error (${this.lastError ?? 'unknown'}). Try again in a moment.`;
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/api/info')
      return send(200, 'application/json', { ...this.o.info(), engine: 'unavailable', store: this.status() });
    if (req.headers['x-amz-target'] !== undefined)
      return send(
        503,
        'application/x-amz-json-1.1',
        { __type: 'ServiceUnavailableException', message },
        { 'retry-after': '2' },
      );
    return send(503, 'application/json', { error: { code: 'STORE_UNAVAILABLE', message } }, { 'retry-after': '2' });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
