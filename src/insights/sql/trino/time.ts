/**
 * Trino time arithmetic over epoch ms, and the date functions (parseDate, formatDate, toMillis).
 * Every conversion names UTC (`from_unixtime(s, 'UTC')`), so nothing depends on the session's
 * time zone (Athena's and a Trino server's defaults differ).
 */
import type { DurationUnit } from '../../ast.js';
import type { FunctionTable, Lower } from '../dialect.js';
import { periodMonths, periodMs, WEEK_ORIGIN } from '../periods.js';
import { quoteString } from './text.js';

/** Epoch ms (BIGINT SQL) → timestamp with time zone UTC. */
export function utcTimestamp(ms: string): string {
  return `from_unixtime(CAST(${ms} AS DOUBLE) / 1000, 'UTC')`;
}

/** A timestamp with time zone → epoch ms. */
export function epochMillis(ts: string): string {
  return `CAST(round(to_unixtime(${ts}) * 1000) AS BIGINT)`;
}

export function floorTime(x: Lower, t: string, amount: number, unit: DurationUnit): string {
  if (unit === 'w') {
    const p = amount * 7 * 86_400_000;
    return `(((${t}) - (${WEEK_ORIGIN})) / ${p} * ${p} + (${WEEK_ORIGIN}))`;
  }
  const p = periodMs(amount, unit);
  if (p !== undefined) return `((${t}) / ${p} * ${p})`;
  // Calendar units: months since 1970-01 floored to a multiple of the amount.
  const months = periodMonths(amount, unit);
  return x.share(t, (v) => {
    const ts = utcTimestamp(v);
    if (months === 1 || months === 3 || months === 12) {
      const part = months === 1 ? 'month' : months === 3 ? 'quarter' : 'year';
      return `TRY(${epochMillis(`date_trunc('${part}', ${ts})`)})`;
    }
    return x.share(
      `((year(${ts}) - 1970) * 12 + month(${ts}) - 1) / ${months} * ${months}`,
      (idx) =>
        // TRY: a value far outside the timestamp range is missing rather than an error.
        `TRY(${epochMillis(`from_iso8601_timestamp(format('%04d-%02d-01T00:00:00Z', 1970 + (${idx}) / 12, (${idx}) % 12 + 1))`)})`,
    );
  });
}

export function ceilTime(x: Lower, t: string, amount: number, unit: DurationUnit): string {
  return x.share(t, (v) =>
    x.share(floorTime(x, v, amount, unit), (f) => {
      const p = periodMs(amount, unit);
      if (p !== undefined) return `(CASE WHEN ${f} = (${v}) THEN (${v}) ELSE ${f} + ${p} END)`;
      return `(CASE WHEN ${f} = (${v}) THEN (${v}) ELSE TRY(${epochMillis(`date_add('month', ${periodMonths(amount, unit)}, ${utcTimestamp(f)})`)}) END)`;
    }),
  );
}

/**
 * Every period start from `lo` to `hi`. Trino's `sequence` stops at 10,000 elements, so fixed
 * periods are generated as blocks of 10,000 (a week of minute bins is 10,080).
 */
export function timeSeries(lo: string, hi: string, amount: number, unit: DurationUnit): string {
  const fixed = periodMs(amount, unit);
  if (fixed !== undefined) {
    const at = `CAST(${lo} AS BIGINT) + (__i * 10000 + __j) * ${fixed}`;
    return `SELECT ${at} AS __b FROM UNNEST(sequence(0, (CAST(${hi} AS BIGINT) - CAST(${lo} AS BIGINT)) / ${fixed} / 10000)) AS __s1(__i) CROSS JOIN UNNEST(sequence(0, 9999)) AS __s2(__j) WHERE ${at} <= CAST(${hi} AS BIGINT)`;
  }
  const months = periodMonths(amount, unit);
  const local = (ms: string) => `CAST(${utcTimestamp(ms)} AS TIMESTAMP(3))`;
  return `SELECT ${epochMillis(`with_timezone(__t, 'UTC')`)} AS __b FROM UNNEST(sequence(${local(lo)}, ${local(hi)}, INTERVAL '${months}' MONTH)) AS __s(__t)`;
}

export function timeText(v: string): string {
  return `format_datetime(${utcTimestamp(v)}, 'yyyy-MM-dd HH:mm:ss.SSS')`;
}

/** strftime conversions → Joda-Time pattern letters (format_datetime); others are kept as text. */
const STRFTIME_TO_JODA: Readonly<Record<string, string>> = {
  Y: 'yyyy',
  y: 'yy',
  m: 'MM',
  '-m': 'M',
  d: 'dd',
  '-d': 'd',
  e: 'd',
  H: 'HH',
  '-H': 'H',
  I: 'hh',
  '-I': 'h',
  M: 'mm',
  '-M': 'm',
  S: 'ss',
  '-S': 's',
  f: 'SSSSSS',
  g: 'SSS',
  L: 'SSS',
  p: 'a',
  b: 'MMM',
  h: 'MMM',
  B: 'MMMM',
  a: 'EEE',
  A: 'EEEE',
  j: 'DDD',
  z: 'Z',
  Z: 'z',
};

/** A strftime format (formatDate's) as a Joda pattern; undefined when it uses a conversion Joda lacks. */
export function strftimeToJoda(f: string): string | undefined {
  let out = '';
  let lit = '';
  const flush = () => {
    if (lit) out += `'${lit.replace(/'/g, "''")}'`;
    lit = '';
  };
  for (let i = 0; i < f.length; i++) {
    if (f[i] !== '%') {
      if (/[A-Za-z']/.test(f[i])) lit += f[i];
      else {
        flush();
        out += f[i];
      }
      continue;
    }
    const two = f[i + 1] === '-' ? `-${f[i + 2] ?? ''}` : (f[i + 1] ?? '');
    if (two === '%') {
      flush();
      out += '%';
      i++;
      continue;
    }
    const joda = STRFTIME_TO_JODA[two];
    if (joda === undefined) return undefined;
    flush();
    out += joda;
    i += two.length;
  }
  flush();
  return out;
}

export const TIME_FUNCTIONS: Pick<FunctionTable, 'tomillis' | 'parsedate' | 'formatdate'> = {
  // Text is read as an ISO-8601 time; a seconds field written with a leading zero too many is
  // read as its value, as the AWS documentation's own example does:
  // toMillis("2022-01-14T13:18:031.000-08:00") = 1642195111000 (spec §6.4).
  tomillis: (c) =>
    c.args[0].kind === 'time' || c.args[0].kind === 'number'
      ? c.n(0)
      : `TRY(${epochMillis(`from_iso8601_timestamp(regexp_replace(replace(trim(${c.s(0)}), ' ', 'T'), '^(\\d{4}-\\d{1,2}-\\d{1,2}T\\d{1,2}:\\d{1,2}):0*(\\d{2})', '$1:$2'))`)})`,
  // parseDate takes a Java DateTimeFormatter pattern, which Trino's parse_datetime (Joda) reads.
  parsedate: (c) => {
    const f = c.args[1];
    const fmt = f.k === 'lit' && typeof f.value === 'string' ? quoteString(f.value) : 'NULL';
    const wall = `CAST(parse_datetime(${c.s(0)}, ${fmt}) AS TIMESTAMP(3))`;
    const zone = c.args.length > 2 ? c.s(2) : `'UTC'`;
    return `TRY(${epochMillis(`with_timezone(${wall}, ${zone})`)})`;
  },
  formatdate: (c) => {
    const f = c.args[1];
    const joda = f.k === 'lit' && typeof f.value === 'string' ? strftimeToJoda(f.value) : undefined;
    if (joda === undefined) return 'CAST(NULL AS VARCHAR)';
    const zone = c.args.length > 2 ? c.s(2) : `'UTC'`;
    return `TRY(format_datetime(from_unixtime(CAST(${c.n(0)} AS DOUBLE) / 1000, ${zone}), ${quoteString(joda)}))`;
  },
};
