import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Store } from '../../src/store/store.js';

export const HOUR = 3_600_000;
export const GROUP = '/test/alarms';

/** The metric filters of a tokens-per-application metric: input and output tokens, dimension App. */
export const TOKEN_FILTERS: { filterPattern: string; metricValue: string; dimensions: Record<string, string> }[] = [
  {
    filterPattern: '{ $.input.inputTokenCount >= 0 }',
    metricValue: '$.input.inputTokenCount',
    dimensions: { App: '$.requestMetadata.application_name' },
  },
  {
    filterPattern: '{ $.output.outputTokenCount >= 0 }',
    metricValue: '$.output.outputTokenCount',
    dimensions: { App: '$.requestMetadata.application_name' },
  },
];

let seq = 0;
/** Puts Bedrock-like JSON events straight into `events` (the alarms only read ts, log_group, message). */
export async function putEvents(
  store: Store,
  events: { ts: number; app: string; input: number; output?: number; tenant?: string; user?: string; model?: string }[],
  group = GROUP,
): Promise<void> {
  for (const e of events) {
    seq++;
    const message = JSON.stringify({
      timestamp: new Date(e.ts).toISOString(),
      modelId: e.model ?? 'anthropic.claude-3-haiku',
      input: { inputTokenCount: e.input },
      output: { outputTokenCount: e.output ?? 0 },
      requestMetadata: { application_name: e.app, tenant_id: e.tenant ?? 't-1', user_id: e.user ?? 'u-1' },
    });
    await store.connection.run(
      `INSERT INTO events (seq, log_group, log_stream, ts, ingestion_ts, event_key, kind, message) VALUES ($1, $2, 's', $3, $3, $4, 'generic', $5)`,
      [BigInt(seq), group, BigInt(e.ts), `k${seq}`, message],
    );
  }
}

export interface SmtpCatcher {
  port: number;
  messages: { from: string; to: string[]; raw: string; subject: string; text: string }[];
  close(): Promise<void>;
}

/** Decodes a quoted-printable body (nodemailer uses it for long lines). */
export function decodeQuotedPrintable(s: string): string {
  const bytes = Buffer.from(
    s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  );
  return bytes.toString('utf8');
}

/** Decodes =?UTF-8?Q?…?= / =?UTF-8?B?…?= words of a header. */
export function decodeHeader(s: string): string {
  return s
    .replace(/\r?\n\s+/g, ' ')
    .replace(/=\?utf-8\?([qb])\?([^?]*)\?=\s*/gi, (_m, enc: string, text: string) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

function parseMail(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split);
  const body = raw.slice(split + 4);
  const subject = decodeHeader(/^Subject: (.*(?:\r\n[ \t].*)*)/im.exec(head)?.[1] ?? '');
  const qp = /Content-Transfer-Encoding: quoted-printable/i.test(head);
  const b64 = /Content-Transfer-Encoding: base64/i.test(head);
  const text = qp ? decodeQuotedPrintable(body) : b64 ? Buffer.from(body, 'base64').toString('utf8') : body;
  return { subject, text: text.replace(/\r\n/g, '\n') };
}

/** A real SMTP server (smtp-server) on 127.0.0.1 that keeps what it receives. */
export async function startSmtp(): Promise<SmtpCatcher> {
  const messages: SmtpCatcher['messages'] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          ...parseMail(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, messages, close: () => new Promise<void>((res) => server.close(() => res())) };
}

export interface HttpCatcher {
  url: string;
  requests: { headers: IncomingMessage['headers']; body: string }[];
  /** Status codes to answer with, in order; then 200. */
  failFirst: number[];
  /** The successful answer (default text "ok"). */
  answer: { contentType: string; body: string };
  close(): Promise<void>;
}

export async function startReceiver(): Promise<HttpCatcher> {
  const c: HttpCatcher = {
    url: '',
    requests: [],
    failFirst: [],
    answer: { contentType: 'text/plain', body: 'ok' },
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      c.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = c.failFirst.shift() ?? 200;
      res.writeHead(status, { 'content-type': status === 200 ? c.answer.contentType : 'text/plain' });
      res.end(status === 200 ? c.answer.body : 'try later');
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  c.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  c.close = () => new Promise<void>((res) => server.close(() => res()));
  return c;
}

export async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}
