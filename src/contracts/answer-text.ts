import type { AnswerSource } from '../insights/plan.js';

export type { AnswerSource };

/** An hour as `2026-06-03 14:00` (UTC). */
function hourText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * One line saying which relation answered a query (`query --explain`, the console's query
 * statistics): the hourly roll-up with the hours it covered and what was read from the events,
 * or the events and why.
 */
export function answerText(a: AnswerSource): string {
  if (a.source === 'events') return `events${a.reason ? ` (${a.reason})` : ''}`;
  const h = a.rollupHours ?? {};
  const span =
    h.from === undefined && h.to === undefined
      ? 'every whole hour'
      : `${h.from === undefined ? 'every hour' : hourText(h.from)} to ${h.to === undefined ? 'the last hour' : hourText(h.to)} UTC`;
  const fromEvents: string[] = [];
  if (a.edgeEvents) fromEvents.push('the partly covered edge hours');
  if (a.dirtyBuckets) fromEvents.push(`${a.dirtyBuckets} out-of-date hour bucket${a.dirtyBuckets === 1 ? '' : 's'}`);
  return `hourly roll-up (${span})${fromEvents.length ? `; events for ${fromEvents.join(' and ')}` : ''}`;
}
