import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/**
 * Other web pages must not drive the server through the user's browser. On loopback the console
 * needs no token, so two checks stand in front of every route, `POST /` included:
 *
 * - DNS rebinding: a page on attacker.example whose name is made to resolve to 127.0.0.1 talks to
 *   this server as its own origin, and its requests carry `Host: attacker.example`. Only host
 *   names that cannot be rebound are accepted: `localhost`, IP addresses (an address is not looked
 *   up, so a page can only carry it when it really was loaded from it), and the names the user
 *   configures (`serve --allow-host NAME`, for a name this server is reached by).
 * - Cross-site requests: a form or `fetch` on another site can send a POST (no preflight for
 *   simple requests). Requests that change something (any method but GET, HEAD and OPTIONS) are
 *   refused when the browser says they come from elsewhere: an `Origin` that is not this server
 *   (nor an allowed name), `Origin: null`, or `Sec-Fetch-Site: cross-site`. API clients (curl,
 *   the AWS CLI and SDKs) send neither header and are not affected.
 *
 * With a token the cookie is `SameSite=Strict` as well; these checks hold without one.
 */
export interface GuardOptions {
  /** Extra host names accepted in `Host` and `Origin` (lower case, without port). */
  allowHosts?: readonly string[];
}

export interface Refusal {
  status: 403;
  code: 'HOST_NOT_ALLOWED' | 'CROSS_SITE_REQUEST';
  message: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `Host`/`Origin` authority → lower-case host name without port or IPv6 brackets. */
export function hostNameOf(authority: string): string {
  const a = authority.trim().toLowerCase();
  if (a.startsWith('[')) {
    const end = a.indexOf(']');
    return end < 0 ? a : a.slice(1, end);
  }
  const colon = a.lastIndexOf(':');
  return colon >= 0 && a.indexOf(':') === colon ? a.slice(0, colon) : a;
}

function withoutDefaultPort(authority: string, scheme: string): string {
  const a = authority.toLowerCase();
  if (scheme === 'http:' && a.endsWith(':80')) return a.slice(0, -3);
  if (scheme === 'https:' && a.endsWith(':443')) return a.slice(0, -4);
  return a;
}

export function normalizeAllowHosts(names: readonly string[] = []): string[] {
  return names.map((n) => hostNameOf(n)).filter((n) => n.length > 0);
}

export class RequestGuard {
  private readonly allow: Set<string>;

  constructor(opts: GuardOptions = {}) {
    this.allow = new Set(normalizeAllowHosts(opts.allowHosts));
  }

  hostAllowed(name: string): boolean {
    return name === 'localhost' || isIP(name) !== 0 || this.allow.has(name);
  }

  /** Why a request is refused, or undefined when it may go on. */
  check(req: Pick<IncomingMessage, 'headers' | 'method'>): Refusal | undefined {
    const host = req.headers.host;
    // HTTP/1.0 without Host: browsers always send one, so this is no browser.
    if (host !== undefined && !this.hostAllowed(hostNameOf(host))) {
      return {
        status: 403,
        code: 'HOST_NOT_ALLOWED',
        message: `This server answers only to localhost, IP addresses and the names it is told (Host "${hostNameOf(host)}" is not one): a web page may be trying to reach it through DNS rebinding. If you reach it by that name, start it with --allow-host ${hostNameOf(host)}.`,
      };
    }
    if (SAFE_METHODS.has(String(req.method).toUpperCase())) return undefined;
    const origin = req.headers.origin;
    if (origin !== undefined && !this.sameOrAllowedOrigin(origin, host)) {
      return {
        status: 403,
        code: 'CROSS_SITE_REQUEST',
        message: `Refused a request from another web page (Origin ${origin}): only the console's own pages may change things here.`,
      };
    }
    if (String(req.headers['sec-fetch-site'] ?? '').toLowerCase() === 'cross-site') {
      return {
        status: 403,
        code: 'CROSS_SITE_REQUEST',
        message: `Refused a request from another web site: only the console's own pages may change things here.`,
      };
    }
    return undefined;
  }

  private sameOrAllowedOrigin(origin: string, host: string | undefined): boolean {
    let u: URL;
    try {
      u = new URL(origin); // "null" (sandboxed frames, file:) does not parse
    } catch {
      return false;
    }
    if (host !== undefined && withoutDefaultPort(u.host, u.protocol) === withoutDefaultPort(host, u.protocol))
      return true;
    return this.allow.has(hostNameOf(u.host));
  }
}

/** The guard as the first hook of the app: refused requests never reach a route or a parser. */
export function registerRequestGuard(app: FastifyInstance, guard: RequestGuard): void {
  app.addHook('onRequest', async (req, reply) => {
    const refusal = guard.check(req.raw);
    if (!refusal) return;
    if (req.headers['x-amz-target'] !== undefined) {
      // The CloudWatch API's clients read AWS-shaped errors.
      return reply
        .code(refusal.status)
        .header('content-type', 'application/x-amz-json-1.1')
        .send(Buffer.from(JSON.stringify({ __type: 'AccessDeniedException', message: refusal.message })));
    }
    return reply.code(refusal.status).send({ error: { code: refusal.code, message: refusal.message } });
  });
}
