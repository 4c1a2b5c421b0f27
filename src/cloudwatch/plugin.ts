import type { FastifyInstance } from 'fastify';
import type { QueryEngine } from '../engines/engine.js';
import type { Definitions } from '../store/definitions.js';
import type { Store } from '../store/store.js';
import { createCloudWatchLogsApi, type CloudWatchApiOptions, type CloudWatchLogsApi } from './handler.js';

/** PutLogEvents allows 1 MB of messages plus JSON framing for up to 10,000 events. */
export const BODY_LIMIT = 16 * 1024 * 1024;

/**
 * Registers `POST /` (X-Amz-Target: Logs_20140328.*) on a Fastify app, in its own encapsulated
 * context whose only body parser keeps the raw bytes: SigV4 signs the exact body, and a JSON
 * parser would lose them. The route is marked `config.auth = 'none'` for the console's token
 * hook because it verifies SigV4 itself.
 */
export async function registerCloudWatchLogsApi(
  app: FastifyInstance,
  store: Store,
  engine: QueryEngine | (() => QueryEngine),
  opts: CloudWatchApiOptions,
): Promise<CloudWatchLogsApi> {
  const api = await createCloudWatchLogsApi(store, engine, opts);
  await app.register(async (child) => {
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
    child.post('/', { bodyLimit: BODY_LIMIT, config: { auth: 'none' } }, async (req, reply) => {
      const url = req.raw.url ?? '/';
      const q = url.indexOf('?');
      const res = await api.handle({
        method: req.method,
        path: q < 0 ? url : url.slice(0, q),
        ...(q >= 0 ? { query: url.slice(q + 1) } : {}),
        headers: req.headers,
        rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        ...(req.socket.remoteAddress ? { remoteAddress: req.socket.remoteAddress } : {}),
      });
      // A Buffer keeps Fastify from appending '; charset=utf-8' to the AWS content type.
      return reply.code(res.status).headers(res.headers).send(Buffer.from(res.body, 'utf8'));
    });
  });
  app.addHook('onClose', async () => { await api.close(); });
  return api;
}

/** What src/api/server.ts's ServerOptions.cloudWatchApi expects: mounts the API with the server's store, engine and saved queries. */
export function cloudWatchApiMount(opts: Omit<CloudWatchApiOptions, 'definitions'>): (app: FastifyInstance, ctx: { store: Store; engine: () => QueryEngine; defs: Definitions }) => Promise<void> {
  return async (app, ctx) => {
    await registerCloudWatchLogsApi(app, ctx.store, ctx.engine, { ...opts, definitions: ctx.defs });
  };
}
