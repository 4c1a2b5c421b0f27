import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { BiError, errorMessage, isBiError } from '../util/errors.js';

/**
 * The one map from an error to an HTTP answer. Every route answers a failure through `sendError`
 * (or throws, and the app's error handler, set by `registerErrorHandler`, does the same), so a
 * code has one status wherever it is raised. Before: four routes files had their own mapping.
 */

/** Whose fault and what kind, for the codes that are not 400 (INVALID_*, QUERY_*) or 500. */
const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  UNAUTHORIZED: 401,
  CROSS_SITE_REQUEST: 403,
  HOST_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  ALARM_NOT_FOUND: 404,
  ALARM_INVALID: 400,
  ALARM_NO_TARGETS: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  STORE_LOCKED: 409,
  ENGINE_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
};

/** Details of a BiError that the answer carries (the rest stay on the server). */
const SHOWN_DETAILS = ['diagnostics', 'problems', 'fields'] as const;

export interface ErrorBody {
  error: { code: string; message: string; diagnostics?: unknown; problems?: unknown; fields?: unknown };
}

/** A remote engine's failure (Trino, Athena, CloudWatch Logs, AWS): the gateway's, not ours. */
const REMOTE_ENGINE_ERROR = /^(TRINO|ATHENA|CLOUDWATCH|AWS)_/;

export function statusOfCode(code: string): number {
  return (
    STATUS_OF_CODE[code] ??
    (REMOTE_ENGINE_ERROR.test(code) ? 502 : code.startsWith('INVALID') || code.startsWith('QUERY_') ? 400 : 500)
  );
}

/** HTTP status and body of an error thrown by the engine, a route's checks or Fastify. */
export function httpError(e: unknown): { status: number; body: ErrorBody } {
  if (isBiError(e)) {
    const body: ErrorBody['error'] = { code: e.code, message: e.message };
    for (const k of SHOWN_DETAILS) if (e.details[k] !== undefined) body[k] = e.details[k];
    return { status: statusOfCode(e.code), body: { error: body } };
  }
  // Fastify's own (a body it could not parse, too large, of a type no route takes).
  const status = (e as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : status === 413 ? 'BODY_TOO_LARGE' : 'INVALID_REQUEST';
    const message =
      status === 415 ? 'This route takes a JSON body: send it with Content-Type: application/json.' : errorMessage(e);
    return { status, body: { error: { code, message } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: errorMessage(e) } } };
}

export function sendError(reply: FastifyReply, e: unknown): FastifyReply {
  const { status, body } = httpError(e);
  return reply.code(status).send(body);
}

/** Set before any route: a route takes the error handler that is set when it is added. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (err, _req, reply) => sendError(reply, err));
}

/**
 * A route's params, query or body read with its zod schema instead of a cast: what does not fit is
 * refused with INVALID_REQUEST naming the field (HTTP 400).
 */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const message = issue?.message ?? 'not valid';
  // A schema's own message is a whole sentence naming its field (queryRequest.ts); zod's are not.
  if (message.endsWith('.')) throw new BiError('INVALID_REQUEST', message);
  const where = issue?.path.length ? issue.path.join('.') : what;
  throw new BiError('INVALID_REQUEST', `${where}: ${message}.`);
}

/** `/…/:id` */
export const IdParams = z.object({ id: z.string().min(1) });
/** `/…/:name` */
export const NameParams = z.object({ name: z.string().min(1) });
/** A URL query: each field once, or repeated. */
export const UrlQuery = z.record(z.string(), z.union([z.string(), z.array(z.string())]).optional());
