import type { Period } from '../contracts/wire.js';
import { BiError } from '../util/errors.js';

export type { Period };

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
const QUARTER_RE = /^(\d{4})-?[Qq]([1-4])$/;

function monthPeriod(y: number, m0: number): Period {
  const start = Date.UTC(y, m0, 1);
  const end = Date.UTC(y, m0 + 1, 1);
  const d = new Date(start);
  return { kind: 'month', label: `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`, start, end };
}

function quarterPeriod(y: number, q0: number): Period {
  const yy = y + Math.floor(q0 / 4);
  const qq = ((q0 % 4) + 4) % 4;
  return {
    kind: 'quarter',
    label: `${yy}-Q${qq + 1}`,
    start: Date.UTC(yy, qq * 3, 1),
    end: Date.UTC(yy, qq * 3 + 3, 1),
  };
}

/** `2026-10` (a month) or `2026-Q3` (a quarter), in UTC. */
export function parsePeriod(text: string): Period {
  const s = text.trim();
  const m = MONTH_RE.exec(s);
  if (m) return monthPeriod(Number(m[1]), Number(m[2]) - 1);
  const q = QUARTER_RE.exec(s);
  if (q) return quarterPeriod(Number(q[1]), Number(q[2]) - 1);
  throw new BiError(
    'INVALID_ARGUMENT',
    `"${text}" is not a period: use a month like 2026-10 or a quarter like 2026-Q3 (UTC).`,
  );
}

/** Only a month (chargeback statements are monthly). */
export function parseMonth(text: string): Period {
  const p = parsePeriod(text);
  if (p.kind !== 'month') throw new BiError('INVALID_ARGUMENT', `--month takes a month like 2026-10, not "${text}".`);
  return p;
}

/** The period of the same kind just before (the month before, the quarter before). */
export function previousPeriod(p: Period): Period {
  const d = new Date(p.start);
  if (p.kind === 'month') return monthPeriod(d.getUTCFullYear(), d.getUTCMonth() - 1);
  if (p.kind === 'quarter') return quarterPeriod(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) - 1);
  const len = p.end - p.start;
  return { kind: 'range', label: 'previous range', start: p.start - len, end: p.start };
}

/** A free range (the console's time picker): [start, end], end inclusive as the engine takes it. */
export function rangePeriod(start: number, endInclusive: number, label?: string): Period {
  if (!(endInclusive >= start)) throw new BiError('INVALID_ARGUMENT', 'The range must end after it starts.');
  return { kind: 'range', label: label ?? `${iso(start)} .. ${iso(endInclusive + 1)}`, start, end: endInclusive + 1 };
}

/** The current UTC month's label (the default of --month). */
export function currentMonthLabel(now = Date.now()): string {
  const d = new Date(now);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The `n` months ending with the one holding `end - 1`, oldest first, as [start, end) periods. */
export function monthsEndingAt(endExclusive: number, n: number): Period[] {
  const d = new Date(endExclusive - 1);
  const out: Period[] = [];
  for (let i = n - 1; i >= 0; i -= 1) out.push(monthPeriod(d.getUTCFullYear(), d.getUTCMonth() - i));
  return out;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export const DAY_MS = 86_400_000;
