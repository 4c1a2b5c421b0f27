import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { QueryEngine } from '../engines/engine.js';
import type { Definitions } from '../workspace/definitions.js';
import type { Store } from '../store/store.js';
import { BiError } from '../util/errors.js';
import { ACCESS_KEYS_ENV, loadApiCredentials } from './accessKeys.js';
import { CwApiError } from './errors.js';
import {
  createCloudWatchLogsApi,
  errorResponse,
  isLoopbackAddress,
  type ApiResponse,
  type CloudWatchApiOptions,
  type CloudWatchLogsApi,
} from './handler.js';

/**
 * The largest legal request is a PutLogEvents of 1 MB of messages in 10,000 events: even with
 * every character written as a 6-byte `\u` escape plus the JSON framing it stays under 7.5 MB.
 */
export const BODY_LIMIT = 8 * 1024 * 1024;

function tooLarge(bytes?: number): CwApiError {
  return new CwApiError(
    'RequestEntityTooLargeException',
    `The request body${bytes !== undefined ? ` of ${bytes} bytes` : ''} exceeds the limit of ${BODY_LIMIT} bytes.`,
    413,
  );
}

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
    // Fastify reads the body in chunks and stops at the limit (or at once, from Content-Length).
    child.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) =>
      done(null, body),
    );
    const send = (reply: FastifyReply, r: ApiResponse): FastifyReply =>
      reply.code(r.status).headers(r.headers).send(Buffer.from(r.body, 'utf8'));
    // Before the body is read: a declared size over the limit, then everything the headers alone
    // can refuse (no or malformed Authorization, an unknown key, the clock). An unauthenticated
    // client so never makes the server hold its body; Node discards what it still sends.
    child.addHook('onRequest', async (req, reply) => {
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > BODY_LIMIT) return send(reply, errorResponse(tooLarge(declared)));
      const refused = api.precheck({
        headers: req.headers,
        ...(req.socket.remoteAddress ? { remoteAddress: req.socket.remoteAddress } : {}),
      });
      if (refused) return send(reply, refused);
    });
    // A body over the limit while streaming (chunked): AWS-shaped, like every other answer here.
    child.setErrorHandler(async (err: FastifyError, _req, reply) => {
      if (err.statusCode === 413) return send(reply, errorResponse(tooLarge()));
      return send(
        reply,
        errorResponse(
          new CwApiError('SerializationException', 'The request body could not be read.', err.statusCode ?? 400),
        ),
      );
    });
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
      return send(reply, res);
    });
  });
  // Before the server waits for requests in flight: a request whose pattern is still being
  // matched is answered (the shutdown error) at once, so a stop never waits for a deadline.
  app.addHook('preClose', async () => {
    await api.shared.matcher.close();
  });
  app.addHook('onClose', async () => {
    await api.close();
  });
  return api;
}

/** What src/api/server.ts's ServerOptions.cloudWatchApi expects: mounts the API with the server's store, engine and saved queries. */
export function cloudWatchApiMount(
  opts: Omit<CloudWatchApiOptions, 'definitions'>,
): (app: FastifyInstance, ctx: { store: Store; engine: () => QueryEngine; defs: Definitions }) => Promise<void> {
  return async (app, ctx) => {
    await registerCloudWatchLogsApi(app, ctx.store, ctx.engine, { ...opts, definitions: ctx.defs });
  };
}

export interface ServeCloudWatchOptions {
  /** The address the server binds (the unauthenticated mode needs loopback). */
  host: string;
  /** The server config file (src/api/config.ts serverConfigPath): its `accessKeys` member. */
  configPath?: string;
  /** `--access-keys ID:SECRET,…` */
  accessKeys?: string;
  /** `--no-auth`: no SigV4 (loopback only). */
  noAuth?: boolean;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/**
 * What `bedrock-insights serve` needs: the mount for startServer's `cloudWatchApi`, and one line
 * to print saying how the API is protected (access key ids only, never secrets).
 */
export function cloudWatchApiForServe(o: ServeCloudWatchOptions): {
  mount: ReturnType<typeof cloudWatchApiMount>;
  summary: string;
} {
  const creds = loadApiCredentials({
    ...(o.configPath ? { configPath: o.configPath } : {}),
    ...(o.accessKeys ? { explicit: o.accessKeys } : {}),
    ...(o.env ? { env: o.env } : {}),
  });
  const common = { ...(creds.accountId ? { accountId: creds.accountId } : {}), ...(o.log ? { log: o.log } : {}) };
  if (o.noAuth) {
    if (!isLoopbackAddress(o.host)) {
      throw new BiError(
        'AUTH_REQUIRED',
        `--no-auth is allowed only when the server binds a loopback address, not ${o.host}; configure access keys with --access-keys or ${ACCESS_KEYS_ENV} instead.`,
      );
    }
    return {
      mount: cloudWatchApiMount({ auth: { mode: 'none', bindHost: o.host }, ...common }),
      summary: 'CloudWatch Logs API on POST / without authentication (loopback clients only; --no-auth).',
    };
  }
  const { keys, accounts } = creds;
  const summary =
    keys.size > 0
      ? `CloudWatch Logs API on POST / (SigV4; access key ids: ${[...keys.keys()].join(', ')}).`
      : `CloudWatch Logs API on POST / refuses every request: no access keys are configured. Set ${ACCESS_KEYS_ENV}=ID:SECRET, pass --access-keys, or add "accessKeys" to ${o.configPath ?? 'the server config'}.`;
  return { mount: cloudWatchApiMount({ auth: { mode: 'sigv4', keys, accounts }, ...common }), summary };
}
