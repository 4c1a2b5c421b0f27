/** DuckDB time arithmetic over epoch ms, and the date functions (parseDate, formatDate, toMillis). */
import type { DurationUnit } from '../../ast.js';
import type { FunctionTable, Lower } from '../dialect.js';
import { periodMonths, periodMs, WEEK_ORIGIN } from '../periods.js';
import { quoteString } from './text.js';

export function floorTime(x: Lower, t: string, amount: number, unit: DurationUnit): string {
  if (unit === 'w') {
    const p = amount * 7 * 86_400_000;
    return `(((${t}) - (${WEEK_ORIGIN})) // ${p} * ${p} + (${WEEK_ORIGIN}))`;
  }
  const p = periodMs(amount, unit);
  if (p !== undefined) return `((${t}) // ${p} * ${p})`;
  // Calendar units: months since 1970-01 floored to a multiple of the amount.
  const months = periodMonths(amount, unit);
  return x.share(t, (v) => {
    const ts = `make_timestamp(CAST(${v} AS BIGINT) * 1000)`;
    if (months === 1 || months === 3 || months === 12) {
      const part = months === 1 ? 'month' : months === 3 ? 'quarter' : 'year';
      return `try(epoch_ms(date_trunc('${part}', ${ts})))`;
    }
    return x.share(
      `((year(${ts}) - 1970) * 12 + month(${ts}) - 1) // ${months} * ${months}`,
      (idx) =>
        // try(): a value far outside the timestamp range is missing rather than an error.
        `try(epoch_ms(make_timestamp(CAST(1970 + (${idx}) // 12 AS BIGINT), CAST((${idx}) % 12 + 1 AS BIGINT), 1, 0, 0, 0)))`,
    );
  });
}

export function ceilTime(x: Lower, t: string, amount: number, unit: DurationUnit): string {
  return x.share(t, (v) =>
    x.share(floorTime(x, v, amount, unit), (f) => {
      const p = periodMs(amount, unit);
      if (p !== undefined) return `(CASE WHEN ${f} = (${v}) THEN (${v}) ELSE ${f} + ${p} END)`;
      return `(CASE WHEN ${f} = (${v}) THEN (${v}) ELSE try(epoch_ms(make_timestamp(CAST(${f} AS BIGINT) * 1000) + INTERVAL ${periodMonths(amount, unit)} MONTH)) END)`;
    }),
  );
}

export function timeSeries(lo: string, hi: string, amount: number, unit: DurationUnit): string {
  const fixed = periodMs(amount, unit);
  return fixed !== undefined
    ? `SELECT unnest(generate_series(CAST(${lo} AS BIGINT), CAST(${hi} AS BIGINT), ${fixed})) AS __b`
    : `SELECT epoch_ms(unnest(generate_series(make_timestamp(CAST(${lo} AS BIGINT) * 1000), make_timestamp(CAST(${hi} AS BIGINT) * 1000), INTERVAL ${periodMonths(amount, unit)} MONTH))) AS __b`;
}

export function timeText(v: string): string {
  return `strftime(make_timestamp(CAST(${v} AS BIGINT) * 1000), '%Y-%m-%d %H:%M:%S.%g')`;
}

const JAVA_TO_STRPTIME: Readonly<Record<string, string>> = {
  yyyy: '%Y',
  uuuu: '%Y',
  yy: '%y',
  MM: '%m',
  M: '%-m',
  MMM: '%b',
  MMMM: '%B',
  dd: '%d',
  d: '%-d',
  HH: '%H',
  H: '%-H',
  hh: '%I',
  h: '%-I',
  mm: '%M',
  m: '%-M',
  ss: '%S',
  s: '%-S',
  SSS: '%g',
  SSSSSS: '%f',
  a: '%p',
  EEE: '%a',
  EEEE: '%A',
  XXX: '%z',
  Z: '%z',
  X: '%z',
  z: '%Z',
};

/** Java DateTimeFormatter pattern -> strptime format (the common letters). */
export function javaToStrptime(p: string): string {
  const map = JAVA_TO_STRPTIME;
  let out = '';
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === "'") {
      const end = p.indexOf("'", i + 1);
      const lit = end < 0 ? p.slice(i + 1) : p.slice(i + 1, end);
      out += lit === '' ? "'" : lit.replace(/%/g, '%%');
      i = end < 0 ? p.length : end + 1;
      continue;
    }
    let j = i;
    while (j < p.length && p[j] === c) j++;
    const run = p.slice(i, j);
    i = j;
    if (map[run] !== undefined) out += map[run];
    else if (/[A-Za-z]/.test(c)) out += run.length > 1 && map[run.slice(0, 2)] ? map[run.slice(0, 2)] : run;
    else out += run.replace(/%/g, '%%');
  }
  return out;
}

export const TIME_FUNCTIONS: Pick<FunctionTable, 'tomillis' | 'parsedate' | 'formatdate'> = {
  // Text is read as an ISO-8601 time; a seconds field written with a leading zero too many is
  // read as its value, as the AWS documentation's own example does:
  // toMillis("2022-01-14T13:18:031.000-08:00") = 1642195111000 (spec §6.4).
  tomillis: (c) =>
    c.args[0].kind === 'time' || c.args[0].kind === 'number'
      ? c.n(0)
      : `epoch_ms(TRY_CAST(regexp_replace(${c.s(0)}, '^(\\d{4}-\\d{1,2}-\\d{1,2}[T ]\\d{1,2}:\\d{1,2}):0*(\\d{2})', '\\1:\\2') AS TIMESTAMPTZ))`,
  parsedate: (c) => {
    const f = c.args[1];
    const fmt = f.k === 'lit' && typeof f.value === 'string' ? quoteString(javaToStrptime(f.value)) : 'NULL';
    const parsed = `try_strptime(${c.s(0)}, ${fmt})`;
    if (c.args.length > 2) return `epoch_ms(try(timezone(${c.s(2)}, CAST(${parsed} AS TIMESTAMP))))`;
    return `epoch_ms(CAST(${parsed} AS TIMESTAMP))`;
  },
  formatdate: (c) => {
    // Rendered before the branch (as it always was), so bound-value names stay stable in golden SQL.
    const t = `make_timestamp(CAST(${c.n(0)} AS BIGINT) * 1000)`;
    if (c.args.length > 2)
      return `try(strftime(timezone(${c.s(2)}, to_timestamp(CAST(${c.n(0)} AS DOUBLE) / 1000)), ${c.s(1)}))`;
    // try(): a number outside the timestamp range (formatDate(1e17, …)) is missing, not a failure.
    return `try(strftime(${t}, ${c.s(1)}))`;
  },
};
