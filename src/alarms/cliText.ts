import { BiError } from '../util/errors.js';
import type { NotifyTarget } from './definition.js';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** ISO-8601 or epoch milliseconds. */
export function parseTime(s: string, what = 'time'): number {
  const t = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (!Number.isFinite(t))
    throw new BiError(
      'INVALID_ARGUMENT',
      `${what} must be ISO-8601 (2026-11-25T16:05:00Z) or epoch milliseconds, not "${s}".`,
    );
  return t;
}

/** `30d`, `12h`, `2w` before `now`, or an absolute time. */
export function parseSince(s: string, now: number): number {
  const m = /^(\d+)\s*([smhdw])$/.exec(s.trim());
  if (m) return now - Number(m[1]) * UNITS[m[2]];
  return parseTime(s, '--since');
}

/** `--to` of `alarms enable`: an e-mail address, an SNS topic ARN, a Slack hook or another webhook URL. */
export function targetFromAddress(addr: string): NotifyTarget {
  if (addr.startsWith('arn:aws')) return { type: 'sns', topicArn: addr };
  if (/^https?:\/\//.test(addr)) {
    const host = new URL(addr).host;
    return host === 'hooks.slack.com' ? { type: 'slack', url: addr } : { type: 'webhook', url: addr };
  }
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(addr)) return { type: 'email', to: [addr] };
  throw new BiError(
    'INVALID_ARGUMENT',
    `--to takes an e-mail address, an SNS topic ARN or an http(s) webhook URL, not "${addr}".`,
  );
}
