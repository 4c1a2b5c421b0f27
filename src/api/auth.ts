import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

/**
 * Console access token. When the server has a token, every request must carry it, as
 * `Authorization: Bearer <token>` or as the `bi_token` cookie set by the login page; otherwise 401.
 * Routes that authenticate differently (the CloudWatch API on `POST /` verifies SigV4) declare
 * `config: { auth: 'none' }`.
 */
export const COOKIE = 'bi_token';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function presentedToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (h && /^Bearer\s+/i.test(h)) return h.replace(/^Bearer\s+/i, '').trim();
  return readCookie(req.headers.cookie, COOKIE);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A plain server-rendered page: it must work before the SPA (which needs the token) can load. */
export function loginPage(next: string, failed: boolean): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign in · bedrock-insights</title>
<style>
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f6f9;color:#1d2733;display:flex;min-height:100vh;align-items:center;justify-content:center}
form{background:#fff;border:1px solid #d9dee5;border-radius:8px;padding:28px 32px;width:360px;box-shadow:0 2px 8px rgba(0,0,0,.05)}
h1{font-size:18px;margin:0 0 4px}p{color:#5b6675;margin:0 0 18px}
label{display:block;font-weight:600;margin-bottom:6px}input{width:100%;box-sizing:border-box;padding:8px 10px;border:1px solid #c3cad4;border-radius:4px;font:inherit}
button{margin-top:16px;width:100%;padding:9px;border:0;border-radius:4px;background:#0b6bcb;color:#fff;font:inherit;font-weight:600;cursor:pointer}
.err{color:#b42318;margin-top:10px}
</style></head><body>
<form method="post" action="/api/login">
<h1>bedrock-insights</h1><p>This server requires an access token. It was printed when the server first started, and is kept in <code>&lt;store&gt;.config.json</code> beside the store.</p>
<label for="token">Access token</label><input id="token" name="token" type="password" autocomplete="current-password" autofocus>
<input type="hidden" name="next" value="${escapeHtml(next)}">
<button type="submit">Sign in</button>
${failed ? '<div class="err" role="alert">That token is not valid.</div>' : ''}
</form></body></html>`;
}

/**
 * A sign-in (the login page's query, its form or a JSON body): the token and where to go after.
 * Never a 400: a field of another shape (a repeated `?token=`, a number) counts as absent, so the
 * answer stays the login page or 401.
 */
const SignIn = z
  .object({
    token: z.string().optional().catch(undefined),
    next: z.string().optional().catch(undefined),
  })
  .catch({});

/** Only same-site paths are allowed as the post-login destination. */
function safeNext(n: unknown): string {
  return typeof n === 'string' && n.startsWith('/') && !n.startsWith('//') ? n : '/';
}

function setCookie(reply: FastifyReply, token: string): void {
  reply.header(
    'set-cookie',
    `${COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000`,
  );
}

export async function registerAuth(app: FastifyInstance, token: string | undefined): Promise<void> {
  // Routes take JSON only: Fastify's default text/plain parser would let a cross-site "simple"
  // request (no preflight) deliver a body. The sign-in form is the one urlencoded body, and its
  // parser lives only in the encapsulated context of POST /api/login.
  app.removeContentTypeParser('text/plain');

  app.get('/login', { config: { auth: 'none' } }, async (req, reply) => {
    const q = SignIn.parse(req.query ?? {});
    if (!token) return reply.redirect(safeNext(q.next));
    // A link with ?token= (printed by `serve`) signs in and drops the token from the address bar.
    if (q.token !== undefined) {
      if (tokenMatches(q.token, token)) {
        setCookie(reply, token);
        return reply.redirect(safeNext(q.next));
      }
      return reply
        .code(401)
        .type('text/html')
        .send(loginPage(safeNext(q.next), true));
    }
    return reply.type('text/html').send(loginPage(safeNext(q.next), false));
  });

  await app.register(async (login) => {
    login.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    login.post('/api/login', { config: { auth: 'none' } }, async (req, reply) => {
      const b = SignIn.parse(req.body ?? {});
      const next = safeNext(b.next);
      const isForm = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      if (!token) return isForm ? reply.redirect(next) : { ok: true };
      if (tokenMatches(b.token, token)) {
        setCookie(reply, token);
        return isForm ? reply.redirect(next) : { ok: true };
      }
      if (isForm) return reply.code(401).type('text/html').send(loginPage(next, true));
      return reply.code(401).send({ error: { code: 'UNAUTHORIZED', message: 'That access token is not valid.' } });
    });
  });

  app.post('/api/logout', { config: { auth: 'none' } }, async (_req, reply) => {
    reply.header('set-cookie', `${COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    return { ok: true };
  });

  if (!token) return;
  app.addHook('onRequest', async (req, reply) => {
    const cfg = (req.routeOptions?.config ?? {}) as { auth?: string };
    if (cfg.auth === 'none') return;
    if (tokenMatches(presentedToken(req), token)) return;
    const wantsHtml =
      req.method === 'GET' && !req.url.startsWith('/api/') && String(req.headers.accept ?? '').includes('text/html');
    if (wantsHtml) {
      return reply
        .code(401)
        .type('text/html')
        .send(loginPage(safeNext(req.url), false));
    }
    return reply.code(401).send({
      error: {
        code: 'UNAUTHORIZED',
        message: 'This server requires an access token: send "Authorization: Bearer <token>" or sign in at /login.',
      },
    });
  });
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'none': the route does its own authentication (or none: the login page). */
    auth?: 'none';
  }
}
