import { BiError } from '../util/errors.js';
import type { NotifyTarget } from './definition.js';

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
