import type { AlarmState } from '../definition.js';
import { formatNumber } from '../rules.js';
import type { ConsoleView, Explanation } from '../series.js';

/** What every channel sends: one JSON payload (webhooks) with its text rendering (e-mail, Slack, SNS). */
export interface AlarmNotification {
  alarm: string;
  alarmKind: string;
  description?: string;
  /** transition | reminder | test */
  type: 'transition' | 'reminder' | 'test';
  series: string;
  labels: Record<string, string>;
  state: AlarmState;
  previousState: AlarmState;
  reason: string;
  value: number | null;
  threshold: number | null;
  comparison: string;
  band?: { lower: number; upper: number; expected: number };
  statistic?: string;
  periodSeconds: number;
  periodStart: number | null;
  periodEnd: number | null;
  explanation?: Explanation;
  consoleUrl?: string;
  time: number;
}

export function consoleUrl(base: string, v: ConsoleView): string {
  const sp = new URLSearchParams();
  sp.set('q', v.queryString);
  if (v.logGroups.length) sp.set('g', v.logGroups.join(','));
  sp.set('r', `${v.start}-${v.end}`);
  return `${base.replace(/\/+$/, '')}/query?${sp.toString()}`;
}

const iso = (t: number): string =>
  new Date(t)
    .toISOString()
    .replace(/:00\.000Z$/, 'Z')
    .replace(/\.000Z$/, 'Z');

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

function periodText(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? '1 day' : `${seconds / 86_400} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? '1 hour' : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

/** Budgets are money. */
function fmt(n: AlarmNotification, v: number): string {
  return n.alarmKind === 'budget' ? `$${formatNumber(v)}` : formatNumber(v);
}

export function subjectOf(n: AlarmNotification): string {
  const labels = labelText(n.labels);
  const prefix = n.type === 'test' ? 'TEST ' : n.type === 'reminder' ? 'STILL ' : '';
  const value =
    n.state === 'ALARM' && n.value !== null
      ? ` - ${fmt(n, n.value)} ${n.band ? `outside ${fmt(n, n.band.lower)}..${fmt(n, n.band.upper)}` : `${n.comparison} ${n.threshold !== null ? fmt(n, n.threshold) : ''}`.trimEnd()}`
      : '';
  return `${prefix}${n.state}: ${n.alarm}${labels ? ` [${labels}]` : ''}${value}`;
}

export function textOf(n: AlarmNotification): string {
  const lines: string[] = [];
  const labels = labelText(n.labels);
  if (n.type === 'test') lines.push('This is a test notification; the alarm has not changed state.', '');
  lines.push(
    `${n.alarm}${labels ? ` (${labels})` : ''} is ${n.state === 'ALARM' ? 'in ALARM' : n.state}${n.type === 'reminder' ? ' (reminder)' : ''}, was ${n.previousState}.`,
  );
  if (n.description) lines.push(n.description);
  lines.push('');
  if (n.value !== null) {
    const what = `${n.statistic ? `${n.statistic} over ` : ''}${periodText(n.periodSeconds)}${n.periodStart !== null && n.periodEnd !== null ? `, ${iso(n.periodStart)} to ${iso(n.periodEnd)}` : ''}`;
    if (n.band)
      lines.push(
        `Value: ${fmt(n, n.value)}, expected ${fmt(n, n.band.expected)} (band ${fmt(n, n.band.lower)} to ${fmt(n, n.band.upper)}) (${what})`,
      );
    else
      lines.push(
        `Value: ${fmt(n, n.value)} ${n.comparison} threshold ${n.threshold !== null ? fmt(n, n.threshold) : '?'} (${what})`,
      );
  }
  if (n.explanation && !n.band)
    lines.push(
      `Previous period: ${n.explanation.previousValue !== null ? fmt(n, n.explanation.previousValue) : 'no data'}`,
    );
  lines.push(`Reason: ${n.reason}`);
  if (n.explanation && n.explanation.drivers.length > 0) {
    lines.push('', 'What drove it (this period against the previous one):');
    for (const d of n.explanation.drivers) {
      const items = d.items.map(
        (i) =>
          `${i.value} ${fmt(n, i.current)} (was ${fmt(n, i.previous)}, ${i.current - i.previous >= 0 ? '+' : ''}${fmt(n, i.current - i.previous)})`,
      );
      lines.push(`  ${d.dimension}: ${items.join('; ')}`);
    }
  }
  if (n.consoleUrl) lines.push('', `Open in the console: ${n.consoleUrl}`);
  lines.push('', `Sent by bedrock-insights at ${iso(n.time)}.`);
  return lines.join('\n');
}
