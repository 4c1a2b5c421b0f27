import { request, type IncomingMessage } from 'node:http';
import { BiError, errorMessage } from '../util/errors.js';
import { CANCEL_PATH, FrameSchema, RUN_PATH, TOKEN_HEADER, type RunRequest } from './protocol.js';
import type { ServerFile } from './serverFile.js';

/**
 * The CLI's side of the control channel: runs a command line in the server that holds the store
 * and relays what it writes, as it writes it, to this process's stdout and stderr. Returns the
 * command's exit status. Ctrl-C asks the server to cancel the command (its output then says what
 * it says when cancelled locally); a second Ctrl-C leaves at once.
 */
export async function runThroughServer(server: ServerFile, args: string[]): Promise<number> {
  const body: RunRequest = {
    args,
    tty: {
      stdout: Boolean(process.stdout.isTTY),
      stderr: Boolean(process.stderr.isTTY),
      columns: process.stderr.columns || process.stdout.columns || 0,
    },
  };
  const res = await post(server, RUN_PATH, body);
  if (res.statusCode !== 200) throw await refusal(res);
  let runId: string | undefined;
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1 || !runId) {
      res.destroy(); // the server cancels a command whose client went away
      process.exit(130);
    }
    void post(server, CANCEL_PATH, { run: runId }).then(
      (r) => r.resume(),
      () => undefined,
    );
  };
  process.on('SIGINT', onSigint);
  try {
    let exit: number | undefined;
    let pending = '';
    /** Relays one line; a stream that is full (a slow pipe) is waited for before reading on. */
    const handle = async (line: string): Promise<void> => {
      if (!line) return;
      const frame = FrameSchema.parse(JSON.parse(line));
      if ('run' in frame) runId = frame.run;
      else if ('exit' in frame) exit = frame.exit;
      else {
        const out = frame.stream === 'stdout' ? process.stdout : process.stderr;
        if (!out.write(frame.text)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
    };
    try {
      res.setEncoding('utf8');
      for await (const chunk of res) {
        pending += chunk as string;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          await handle(pending.slice(0, nl));
          pending = pending.slice(nl + 1);
        }
      }
    } catch (e) {
      if (exit === undefined) throw serverGone(server, e);
    }
    if (exit === undefined) throw serverGone(server);
    return exit;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function serverGone(server: ServerFile, e?: unknown): BiError {
  return new BiError(
    'SERVER_GONE',
    `The server (pid ${server.pid}) that holds the store stopped while it ran this command${e ? ` (${errorMessage(e)})` : ''}. What it had committed is kept: run the command again.`,
  );
}

async function refusal(res: IncomingMessage): Promise<BiError> {
  let text = '';
  res.setEncoding('utf8');
  for await (const chunk of res) text += chunk as string;
  try {
    const e = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    if (typeof e?.code === 'string' && typeof e.message === 'string') return new BiError(e.code, e.message);
  } catch {
    /* not our JSON: reported below */
  }
  return new BiError('CONTROL_FAILED', `The server holding the store refused the command (HTTP ${res.statusCode}).`);
}

function post(server: ServerFile, path: string, body: unknown): Promise<IncomingMessage> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: 'POST',
        path,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
          [TOKEN_HEADER]: server.token,
        },
      },
      resolve,
    );
    req.on('error', (e) =>
      reject(
        new BiError(
          'SERVER_UNREACHABLE',
          `A server (pid ${server.pid}) holds the store but does not answer on 127.0.0.1:${server.port} (${errorMessage(e)}). Stop it, or wait until it is up.`,
        ),
      ),
    );
    req.end(data);
  });
}
