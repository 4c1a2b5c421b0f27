import { AsyncLocalStorage } from 'node:async_hooks';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { BiError } from '../util/errors.js';
import { MAX_HEADER_LENGTH, validateRequestMetadata } from './validate.js';

export const REQUEST_METADATA_HEADER = 'X-Amzn-Bedrock-Request-Metadata';

export type Metadata = Record<string, string | undefined>;

export interface TaggingOptions {
  /** Values for every call (application_name, team, cost_center…). */
  static?: Metadata;
  /** Key → environment variable name, read at each call (`{ environment: 'APP_ENV' }`); unset variables are left out. */
  env?: Record<string, string>;
  /** Every environment variable with this prefix becomes a key (rest of the name, lower-cased): `BEDROCK_METADATA_TEAM=x` → team. */
  envPrefix?: string;
  /** Per-call values from the caller's context (a request's tenant, user…); see also withRequestMetadata. */
  context?: () => Metadata | undefined;
}

const als = new AsyncLocalStorage<Metadata>();

/**
 * Runs `fn` with extra metadata for every Bedrock call it makes (through clients with the tagging
 * middleware), also across awaits: `withRequestMetadata({ tenant_id }, () => handle(req))`.
 * Nested calls add to (and override) the outer values.
 */
export function withRequestMetadata<T>(meta: Metadata, fn: () => T): T {
  return als.run({ ...(als.getStore() ?? {}), ...meta }, fn);
}

const CONVERSE = new Set(['ConverseCommand', 'ConverseStreamCommand']);
const INVOKE = new Set(['InvokeModelCommand', 'InvokeModelWithResponseStreamCommand']);

/** The metadata for one call, lowest precedence first: static, environment, context, the call's own. */
export function resolveMetadata(o: TaggingOptions, own?: Record<string, unknown>): Record<string, string> {
  const fromEnv: Metadata = {};
  if (o.envPrefix) {
    for (const [name, value] of Object.entries(process.env)) {
      if (name.startsWith(o.envPrefix) && name.length > o.envPrefix.length)
        fromEnv[name.slice(o.envPrefix.length).toLowerCase()] = value;
    }
  }
  for (const [key, name] of Object.entries(o.env ?? {})) fromEnv[key] = process.env[name];
  return validateRequestMetadata({
    ...(o.static ?? {}),
    ...fromEnv,
    ...(o.context?.() ?? {}),
    ...(als.getStore() ?? {}),
    ...(own ?? {}),
  });
}

function parseOwnHeader(v: unknown): Record<string, unknown> | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'object') return v as Record<string, unknown>;
  try {
    const o = JSON.parse(String(v)) as unknown;
    if (o && typeof o === 'object' && !Array.isArray(o)) return o as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  throw new BiError(
    'REQUEST_METADATA_INVALID',
    `requestMetadata of an InvokeModel call must be a JSON object of strings (as the ${REQUEST_METADATA_HEADER} header carries), not ${String(v).slice(0, 60)}.`,
  );
}

// The SDK's middleware types are generic over each command's input and output; these
// middlewares only read and set `requestMetadata` and headers, whatever the command.
type Args = { input: Record<string, unknown>; request?: unknown };
type Next = (args: Args) => Promise<unknown>;
type Ctx = { commandName?: string };

/**
 * Adds the tagging middleware to a BedrockRuntimeClient (and returns it): Converse/ConverseStream
 * get `requestMetadata` in the body; InvokeModel/InvokeModelWithResponseStream get the
 * `X-Amzn-Bedrock-Request-Metadata` header (JSON), set before signing. Metadata is validated
 * against Bedrock's limits first: a bad value fails the call locally with a clear error.
 */
export function addRequestMetadata<C extends Pick<BedrockRuntimeClient, 'middlewareStack'>>(
  client: C,
  o: TaggingOptions = {},
): C {
  const pending = new WeakMap<object, string>();
  const initialize =
    (next: Next, context: Ctx) =>
    async (args: Args): Promise<unknown> => {
      const name = context.commandName ?? '';
      if (CONVERSE.has(name)) {
        const own = args.input.requestMetadata as Record<string, unknown> | undefined;
        const meta = resolveMetadata(o, own);
        if (Object.keys(meta).length > 0) args = { ...args, input: { ...args.input, requestMetadata: meta } };
      } else if (INVOKE.has(name)) {
        const meta = resolveMetadata(o, parseOwnHeader(args.input.requestMetadata));
        if (Object.keys(meta).length > 0) {
          const json = JSON.stringify(meta);
          if (json.length > MAX_HEADER_LENGTH) {
            throw new BiError(
              'REQUEST_METADATA_INVALID',
              `The ${REQUEST_METADATA_HEADER} header would be ${json.length} characters; Bedrock accepts at most ${MAX_HEADER_LENGTH}: shorten the values.`,
            );
          }
          // The header is set at the build step, on the request the serializer made (below), so it
          // is there whether or not this SDK version models the header as an input member.
          const { requestMetadata: _ignored, ...rest } = args.input;
          args = { ...args, input: rest };
          pending.set(context, json);
        }
      }
      return next(args);
    };
  const build =
    (next: Next, context: Ctx) =>
    async (args: Args): Promise<unknown> => {
      const json = pending.get(context);
      const req = args.request as { headers?: Record<string, string> } | undefined;
      if (json !== undefined && req?.headers) {
        for (const h of Object.keys(req.headers))
          if (h.toLowerCase() === REQUEST_METADATA_HEADER.toLowerCase()) delete req.headers[h];
        req.headers[REQUEST_METADATA_HEADER] = json;
      }
      return next(args);
    };
  // Casts: see the comment on Args.
  const stack = client.middlewareStack as unknown as {
    add(mw: unknown, opts: { step: string; name: string; override?: boolean }): void;
  };
  stack.add(initialize, { step: 'initialize', name: 'bedrockInsightsRequestMetadata', override: true });
  stack.add(build, { step: 'build', name: 'bedrockInsightsRequestMetadataHeader', override: true });
  return client;
}
