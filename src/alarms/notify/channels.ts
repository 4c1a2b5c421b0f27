import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { BiError } from '../../util/errors.js';
import type { NotifyTarget } from '../definition.js';
import { subjectOf, textOf, type AlarmNotification } from './message.js';

export const SMTP_URL_ENV = 'BEDROCK_INSIGHTS_SMTP_URL';
export const SMTP_FROM_ENV = 'BEDROCK_INSIGHTS_SMTP_FROM';
export const WEBHOOK_SECRET_ENV = 'BEDROCK_INSIGHTS_WEBHOOK_SECRET';
export const SIGNATURE_HEADER = 'x-bedrock-insights-signature';
export const TIMESTAMP_HEADER = 'x-bedrock-insights-timestamp';

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`): the receiver recomputes it. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** A target without secrets, for lists, logs and the outbox. */
export function describeTarget(t: NotifyTarget): string {
  switch (t.type) {
    case 'email':
      return `email:${t.to.join(',')}`;
    case 'webhook':
      return `webhook:${redactUrl(t.url)}`;
    case 'slack':
      return `slack:${new URL(t.url).host}`;
    case 'sns':
      return `sns:${t.topicArn}`;
  }
}

/** Without credentials or query string (webhook URLs often carry a token there). */
function redactUrl(u: string): string {
  const url = new URL(u);
  return `${url.origin}${url.pathname}${url.search ? '?…' : ''}`;
}

async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).slice(0, 200);
    throw new BiError('NOTIFY_FAILED', `${res.status} ${res.statusText}${text ? `: ${text}` : ''}`);
  }
  await res.arrayBuffer().catch(() => undefined);
}

export interface SendOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Sends one notification to one target; throws on failure (the caller retries). */
export async function sendTo(target: NotifyTarget, n: AlarmNotification, o: SendOptions = {}): Promise<void> {
  const env = o.env ?? process.env;
  const timeoutMs = o.timeoutMs ?? 15_000;
  switch (target.type) {
    case 'email': {
      const url = target.smtpUrl ?? env[SMTP_URL_ENV];
      if (!url)
        throw new BiError(
          'NOTIFY_NOT_CONFIGURED',
          `No SMTP server for e-mail: set "smtpUrl" in the alarm's target or $${SMTP_URL_ENV} (smtp://user:pass@host:587).`,
        );
      const transport = nodemailer.createTransport({
        url,
        ...(target.requireTls ? { requireTLS: true } : {}),
        ...(target.tlsInsecure ? { tls: { rejectUnauthorized: false } } : {}),
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      } as Parameters<typeof nodemailer.createTransport>[0]);
      try {
        await transport.sendMail({
          from: target.from ?? env[SMTP_FROM_ENV] ?? 'bedrock-insights <alarms@bedrock-insights.localhost>',
          to: target.to.join(', '),
          subject: subjectOf(n),
          text: textOf(n),
          headers: { 'X-Bedrock-Insights-Alarm': n.alarm, 'X-Bedrock-Insights-State': n.state },
        });
      } finally {
        transport.close();
      }
      return;
    }
    case 'webhook': {
      const body = JSON.stringify(n);
      const ts = String(Math.floor(Date.now() / 1000));
      const secret = target.secret ?? env[WEBHOOK_SECRET_ENV];
      const headers: Record<string, string> = { ...(target.headers ?? {}), [TIMESTAMP_HEADER]: ts };
      if (secret) headers[SIGNATURE_HEADER] = signWebhook(secret, ts, body);
      await postJson(target.url, body, headers, timeoutMs);
      return;
    }
    case 'slack': {
      await postJson(target.url, JSON.stringify({ text: `*${subjectOf(n)}*\n${textOf(n)}` }), {}, timeoutMs);
      return;
    }
    case 'sns': {
      const region = target.region ?? target.topicArn.split(':')[3];
      const client = new SNSClient({
        region,
        maxAttempts: 1,
        ...(target.endpoint ? { endpoint: target.endpoint } : {}),
      });
      try {
        // SNS subjects are at most 100 ASCII characters with no line breaks.
        const subject = subjectOf(n)
          .replace(/[^\x20-\x7e]/g, '-')
          .slice(0, 100);
        await client.send(new PublishCommand({ TopicArn: target.topicArn, Subject: subject, Message: textOf(n) }), {
          abortSignal: AbortSignal.timeout(timeoutMs),
        });
      } finally {
        client.destroy();
      }
      return;
    }
  }
}

export interface RetryOptions {
  attempts?: number;
  /** First delay; doubles each retry. */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  error?: string;
}

/** Sends with retries and exponential backoff; never throws. */
export async function deliver(
  target: NotifyTarget,
  n: AlarmNotification,
  r: RetryOptions & SendOptions = {},
): Promise<DeliveryResult> {
  const attempts = r.attempts ?? 3;
  const sleep = r.sleep ?? ((ms: number) => new Promise<void>((res) => setTimeout(res, ms)));
  let delay = r.backoffMs ?? 1000;
  let last = '';
  for (let i = 1; i <= attempts; i++) {
    try {
      await sendTo(target, n, r);
      return { ok: true, attempts: i };
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
      if (e instanceof BiError && e.code === 'NOTIFY_NOT_CONFIGURED') return { ok: false, attempts: i, error: last };
      if (i < attempts) {
        await sleep(delay);
        delay *= 2;
      }
    }
  }
  return { ok: false, attempts, error: last };
}
