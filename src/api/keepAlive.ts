import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';

/**
 * Idle keep-alive connections: the client must always be the one to close them.
 *
 * HTTP/1.1 has a race on every idle connection: the server closes it at the instant a client
 * sends its next request on it, and that request is reset (ECONNRESET, "other side closed").
 * Node's server closes an idle connection after exactly the time it advertises in
 * `Keep-Alive: timeout=N`, and clients that honour the hint (Node's fetch and http.Agent)
 * give it up only a moment earlier; a client whose event loop stalls for that moment (a large
 * JSON.parse on a loaded machine) sends on a connection the server is closing. Twenty console
 * long-polls on a busy machine did exactly that. So the server advertises a short idle time
 * and keeps an idle connection for a minute longer than that: a client that honours the hint
 * has closed it long before; one that ignores it (a browser) may still hit the close after
 * 65 s idle, and browsers retry a request that failed on a reused connection.
 */
export const ADVERTISED_IDLE_SECONDS = 5;
/** How long the server really keeps an idle connection (ms). */
export const SERVER_IDLE_MS = (ADVERTISED_IDLE_SECONDS + 60) * 1000;

/** Sets the server's idle time and wraps its request listener to advertise the shorter one. */
export function keepAliveListener(server: Server, handle: RequestListener): RequestListener {
  server.keepAliveTimeout = SERVER_IDLE_MS;
  return (req: IncomingMessage, res: ServerResponse) => {
    // Node writes its own `Keep-Alive: timeout=65` unless the header is set; a connection that
    // closes after this answer gets none.
    if (res.shouldKeepAlive) res.setHeader('Keep-Alive', `timeout=${ADVERTISED_IDLE_SECONDS}`);
    handle(req, res);
  };
}
