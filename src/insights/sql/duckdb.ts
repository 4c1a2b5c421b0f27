/**
 * The DuckDB dialect: a logical plan (src/insights/plan.ts) -> one SQL statement over the
 * `events` table (src/store/schema.ts), plus what the engine needs to turn result rows into
 * CloudWatch rows. This is the only DuckDB-specific part of the query language.
 *
 * Lean by construction: field references are inlined as expressions over the typed columns (no
 * subquery per command); a relation is wrapped in a subquery only where the pipeline really
 * changes shape (stats, limit before more commands, dedup, unnest). Hidden ordering aggregates
 * are computed only when a later step depends on the default order.
 *
 * SQL value representation per kind: number -> BIGINT/DOUBLE, string -> VARCHAR, bool -> BOOLEAN,
 * time -> BIGINT epoch ms, json -> VARCHAR (scalar text, or JSON text for maps/lists), null -> NULL.
 */
import type { DurationUnit } from '../ast.js';
import type { NamedExpr, PExpr, Plan, SortTerm, ValueKind } from '../plan.js';
import { unifyKinds } from '../functions.js';

export interface CompiledColumn {
  name: string;
  /** SQL alias of the column in the statement. */
  alias: string;
  kind: ValueKind;
  /** Print in Java Double.toString form (Lambda's numeric system fields, spec §6.3). */
  java?: boolean;
}

export interface CompiledQuery {
  sql: string;
  columns: CompiledColumn[];
  /** Rows carry `__lg`, `__seq` (for @ptr). */
  ptr: boolean;
  aggregated: boolean;
  /** The statement fetches one row more than this to detect the row cap (undefined: no cap check). */
  rowCap?: number;
  /** Column holding the number of events that reached the first stats (aggregated queries). */
  matchedColumn?: string;
  /** SQL counting events in range (statistics). */
  scannedSql: string;
  /** SQL counting events that pass the filters before the first relation change (non-aggregated). */
  matchedSql?: string;
}

export interface CompileOptions {
  /** Query start, epoch ms (now(), queryStartTime() when the range is open). */
  now: number;
}

// ------------------------------------------------------------------ helpers

export function quoteIdent(id: string): string {
  return `"${id.replace(/"/g, '""')}"`;
}

export function quoteString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

let shareSeq = 0;

/**
 * Use a SQL expression several times in `f` without repeating its text: a long expression is
 * bound once to a lambda parameter (`list_transform([e], x -> f(x))[1]`), so nested functions do
 * not grow the statement exponentially. Short ones (columns, small calls) are repeated as is;
 * DuckDB evaluates common subexpressions once anyway.
 */
function share(sql: string, f: (x: string) => string): string {
  if (sql.length <= 100) return f(sql);
  const name = `__b${++shareSeq}`;
  return `list_transform([${sql}], ${name} -> ${f(name)})[1]`;
}

function numLit(n: number): string {
  if (!Number.isFinite(n)) return 'NULL';
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 53) return String(n);
  // Scientific notation keeps DuckDB from typing the literal as DECIMAL.
  return n.toExponential();
}

function jsonPointer(path: (string | number)[]): string {
  return '/' + path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

const UNIT_MS: Partial<Record<DurationUnit, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function periodMs(amount: number, unit: DurationUnit): number | undefined {
  const u = UNIT_MS[unit];
  if (u !== undefined) return amount * u;
  if (unit === 'w') return amount * 7 * 86_400_000;
  return undefined;
}

/** Epoch ms of Monday 1969-12-29 00:00 UTC: weeks are ISO weeks starting on Monday. */
const WEEK_ORIGIN = -3 * 86_400_000;

function floorTime(t: string, amount: number, unit: DurationUnit): string {
  if (unit === 'w') {
    const p = amount * 7 * 86_400_000;
    return `(((${t}) - (${WEEK_ORIGIN})) // ${p} * ${p} + (${WEEK_ORIGIN}))`;
  }
  const p = periodMs(amount, unit);
  if (p !== undefined) return `((${t}) // ${p} * ${p})`;
  // Calendar units: months since 1970-01 floored to a multiple of the amount.
  const months = unit === 'mo' ? amount : unit === 'q' ? amount * 3 : amount * 12;
  return share(t, (v) => {
    const ts = `make_timestamp(CAST(${v} AS BIGINT) * 1000)`;
    if (months === 1 || months === 3 || months === 12) {
      const part = months === 1 ? 'month' : months === 3 ? 'quarter' : 'year';
      return `try(epoch_ms(date_trunc('${part}', ${ts})))`;
    }
    return share(
      `((year(${ts}) - 1970) * 12 + month(${ts}) - 1) // ${months} * ${months}`,
      (idx) =>
        // try(): a value far outside the timestamp range is missing rather than an error.
        `try(epoch_ms(make_timestamp(CAST(1970 + (${idx}) // 12 AS BIGINT), CAST((${idx}) % 12 + 1 AS BIGINT), 1, 0, 0, 0)))`,
    );
  });
}

function ceilTime(t: string, amount: number, unit: DurationUnit): string {
  return share(t, (v) =>
    share(floorTime(v, amount, unit), (f) => {
      const p = periodMs(amount, unit);
      if (p !== undefined) return `(CASE WHEN ${f} = (${v}) THEN (${v}) ELSE ${f} + ${p} END)`;
      const months = unit === 'mo' ? amount : unit === 'q' ? amount * 3 : amount * 12;
      return `(CASE WHEN ${f} = (${v}) THEN (${v}) ELSE try(epoch_ms(make_timestamp(CAST(${f} AS BIGINT) * 1000) + INTERVAL ${months} MONTH)) END)`;
    }),
  );
}

const IPV4_RE = '((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV6_RE =
  '(([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|:((:[0-9a-fA-F]{1,4}){1,7}|:)|([0-9a-fA-F]{1,4}:){1,6}(:[0-9a-fA-F]{1,4}){1}|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:(:[0-9a-fA-F]{1,4}){1,6})';

/** IANA special-purpose IPv4 ranges (RFC 6890 and successors): [first, last] as numbers. */
const RESERVED_V4: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const PRIVATE_V4: [string, number][] = [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
];

function ipv4Number(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function rangeTest(numExpr: string, ranges: [string, number][]): string {
  return share(numExpr, (v) => rangeTestOf(v, ranges));
}

function rangeTestOf(numExpr: string, ranges: [string, number][]): string {
  return (
    '(' +
    ranges
      .map(([ip, bits]) => {
        const lo = ipv4Number(ip);
        const hi = lo + 2 ** (32 - bits) - 1;
        return `${numExpr} BETWEEN ${lo} AND ${hi}`;
      })
      .join(' OR ') +
    ')'
  );
}

/** Java DateTimeFormatter pattern -> strptime format (the common letters). */
export function javaToStrptime(p: string): string {
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
    const map: Record<string, string> = {
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
    if (map[run] !== undefined) out += map[run];
    else if (/[A-Za-z]/.test(c)) out += run.length > 1 && map[run.slice(0, 2)] ? map[run.slice(0, 2)] : run;
    else out += run.replace(/%/g, '%%');
  }
  return out;
}

// ------------------------------------------------------------------ the compiler

interface RelState {
  from: string;
  where: string[];
  /** Base event columns are available (not after stats). */
  raw: boolean;
  /** The current order as SQL terms. */
  order: string[];
  /** A pending ORDER BY/LIMIT on this select. */
  limit?: number;
  /** Hidden column with the count of matched events (set by the first aggregate). */
  matched?: string;
}

class Compiler {
  private sub = 0;
  constructor(
    private readonly plan: Plan,
    private readonly opts: CompileOptions,
  ) {}

  compile(): CompiledQuery {
    const p = this.plan;
    const scanWhere = this.scanWhere();
    let rel: RelState = {
      from: 'events',
      where: [...scanWhere],
      raw: true,
      order: ['ts DESC NULLS LAST', 'seq DESC NULLS LAST'],
    };
    let firstBoundary = -1;
    p.stages.forEach((st, i) => {
      if (firstBoundary < 0 && st.op !== 'filter' && st.op !== 'project') firstBoundary = i;
      rel = this.stage(rel, i);
    });
    // matched: events passing the filters before the first relation change.
    let matchedSql: string | undefined;
    const leadFilters = p.stages.slice(0, firstBoundary < 0 ? p.stages.length : firstBoundary);
    if (!p.aggregated && leadFilters.length > 0) {
      if (leadFilters.every((s) => s.op === 'filter')) {
        const conds = leadFilters.map((s) => (s.op === 'filter' ? this.cond(s.cond) : 'TRUE'));
        matchedSql = `SELECT count(*) FROM events WHERE ${[...scanWhere, ...conds].join('\n  AND ') || 'TRUE'}`;
      } else {
        // Filters over computed columns: count the rows of the relation (without order or limit).
        let r: RelState = { from: 'events', where: [...scanWhere], raw: true, order: [] };
        for (let i = 0; i < leadFilters.length; i++) r = this.stage(r, i);
        matchedSql = `SELECT count(*) FROM (${this.selectSql(r)})`;
      }
    }
    const cols: CompiledColumn[] = p.columns.map((c, i) => ({
      name: c.name,
      alias: `o${i + 1}`,
      kind: c.expr.kind,
      ...(c.expr.k === 'lambda' && c.expr.kind === 'number' ? { java: true } : {}),
    }));
    const select = p.columns.map((c, i) => `${this.value(c.expr)} AS ${quoteIdent(cols[i].alias)}`);
    const ptr = !p.aggregated && rel.raw;
    if (ptr) select.push('log_group AS __lg', 'seq AS __seq');
    if (rel.matched) select.push(`${quoteIdent(rel.matched)} AS __matched`);
    // Final limit: the query's own (pending), the request's trailing limit, the row cap.
    let limit = rel.limit;
    if (p.trailingLimit !== undefined) limit = limit === undefined ? p.trailingLimit : Math.min(limit, p.trailingLimit);
    let rowCap: number | undefined;
    if (limit === undefined && p.rowCap !== undefined) {
      rowCap = p.rowCap;
      limit = p.rowCap + 1;
    }
    const sql = [
      `SELECT ${select.join(',\n       ')}`,
      `FROM ${rel.from}`,
      rel.where.length ? `WHERE ${rel.where.join('\n  AND ')}` : '',
      rel.order.length ? `ORDER BY ${rel.order.join(', ')}` : '',
      limit !== undefined ? `LIMIT ${limit}` : '',
    ]
      .filter(Boolean)
      .join('\n');
    const out: CompiledQuery = {
      sql,
      columns: cols,
      ptr,
      aggregated: p.aggregated,
      // One candidate group: no need to read the log_group column to count the groups scanned.
      scannedSql: `SELECT count(*) AS scanned, ${(p.source.candidates ?? 2) <= 1 ? 'CASE WHEN count(*) > 0 THEN 1 ELSE 0 END' : 'count(DISTINCT log_group)'} AS groups FROM events${scanWhere.length ? ` WHERE ${scanWhere.join(' AND ')}` : ''}`,
    };
    if (rowCap !== undefined) out.rowCap = rowCap;
    if (rel.matched) out.matchedColumn = '__matched';
    if (matchedSql) out.matchedSql = matchedSql;
    return out;
  }

  private scanWhere(): string[] {
    const p = this.plan;
    const w: string[] = [];
    if (p.source.names !== 'all') {
      w.push(p.source.names.length === 0 ? 'FALSE' : `log_group IN (${p.source.names.map(quoteString).join(', ')})`);
    }
    if (p.startTime !== undefined) w.push(`ts >= ${Math.trunc(p.startTime)}`);
    if (p.endTime !== undefined) w.push(`ts <= ${Math.trunc(p.endTime)}`);
    return w;
  }

  private alias(prefix: string): string {
    return `${prefix}${++this.sub}`;
  }

  private selectSql(rel: RelState, select = '*', order = true): string {
    return [
      `SELECT ${select} FROM ${rel.from}`,
      rel.where.length ? `WHERE ${rel.where.join(' AND ')}` : '',
      rel.limit !== undefined && order ? `ORDER BY ${rel.order.join(', ')} LIMIT ${rel.limit}` : '',
    ]
      .filter(Boolean)
      .join(' ');
  }

  /** Wrap the relation in a subquery keeping every column name. */
  private wrap(rel: RelState, extra = ''): RelState {
    const a = this.alias('t');
    const select = extra ? `*, ${extra}` : '*';
    const out: RelState = {
      from: `(${this.selectSql(rel, select)}) AS ${a}`,
      where: [],
      raw: rel.raw,
      order: rel.order,
    };
    if (rel.matched) out.matched = rel.matched;
    return out;
  }

  /** Does a step after stage i rely on the default order of the relation produced at i? */
  private needsDefaultOrder(i: number): boolean {
    for (const st of this.plan.stages.slice(i + 1)) {
      if (st.op === 'sort') return false;
      if (st.op === 'limit' || st.op === 'dedup' || st.op === 'aggregate') return true;
      if (st.op === 'fillmissing') return false;
    }
    return true;
  }

  private stage(rel: RelState, i: number): RelState {
    const st = this.plan.stages[i];
    switch (st.op) {
      case 'filter': {
        const r = rel.limit !== undefined ? this.wrap(rel) : rel;
        return { ...r, where: [...r.where, this.cond(st.cond)] };
      }
      case 'sort': {
        const r = rel.limit !== undefined ? this.wrap(rel) : rel;
        const terms = st.terms.flatMap((t) => this.sortTerms(t));
        // Stable: ties keep the previous order.
        const exprOf = (o: string) => o.replace(/ (ASC|DESC)( NULLS (FIRST|LAST))?$/, '');
        const taken = new Set(terms.map(exprOf));
        return { ...r, order: [...terms, ...r.order.filter((o) => !taken.has(exprOf(o)))] };
      }
      case 'limit': {
        const r = rel.limit !== undefined ? this.wrap(rel) : rel;
        return { ...r, limit: st.count };
      }
      case 'fillmissing': {
        const r = rel.limit !== undefined ? this.wrap(rel) : rel;
        const inner = this.selectSql(r);
        const b = quoteIdent(st.binKey);
        const fixed = periodMs(st.amount, st.unit);
        const lo =
          this.plan.startTime !== undefined
            ? floorTime(String(Math.trunc(this.plan.startTime)), st.amount, st.unit)
            : `(SELECT min(${b}) FROM agg)`;
        const hi =
          this.plan.endTime !== undefined
            ? floorTime(String(Math.trunc(this.plan.endTime)), st.amount, st.unit)
            : `(SELECT max(${b}) FROM agg)`;
        const months = st.unit === 'mo' ? st.amount : st.unit === 'q' ? st.amount * 3 : st.amount * 12;
        const series =
          fixed !== undefined
            ? `SELECT unnest(generate_series(CAST(${lo} AS BIGINT), CAST(${hi} AS BIGINT), ${fixed})) AS __b`
            : `SELECT epoch_ms(unnest(generate_series(make_timestamp(CAST(${lo} AS BIGINT) * 1000), make_timestamp(CAST(${hi} AS BIGINT) * 1000), INTERVAL ${months} MONTH))) AS __b`;
        const keys = st.keys.map(quoteIdent);
        const fillOf = new Map(st.fills.map((f) => [f.id, f.value]));
        const cols = [
          `bins.__b AS ${b}`,
          ...keys.map((k) => `k.${k} AS ${k}`),
          ...st.items.map((id) => {
            const v = fillOf.get(id);
            return v
              ? `coalesce(a.${quoteIdent(id)}, ${this.value(v)}) AS ${quoteIdent(id)}`
              : `a.${quoteIdent(id)} AS ${quoteIdent(id)}`;
          }),
        ];
        if (r.matched) cols.push(`max(a.${quoteIdent(r.matched)}) OVER () AS ${quoteIdent(r.matched)}`);
        const keyJoin = keys.map((k) => ` AND a.${k} IS NOT DISTINCT FROM k.${k}`).join('');
        const kSel = keys.length ? `(SELECT DISTINCT ${keys.join(', ')} FROM agg)` : '(SELECT 1 AS __one)';
        const a = this.alias('f');
        const sql = `(WITH agg AS (${inner}) SELECT ${cols.join(', ')} FROM (${series}) AS bins CROSS JOIN ${kSel} AS k LEFT JOIN agg AS a ON a.${b} = bins.__b${keyJoin}) AS ${a}`;
        const out: RelState = {
          from: sql,
          where: [],
          raw: false,
          order: [`${b} DESC NULLS LAST`, ...keys.map((k) => `${k} ASC NULLS LAST`)],
        };
        if (r.matched) out.matched = r.matched;
        return out;
      }
      case 'project':
        return this.wrap(rel, st.cols.map((c) => `${this.value(c.expr)} AS ${quoteIdent(c.id)}`).join(', '));
      case 'dedup': {
        const r = rel.limit !== undefined ? this.wrap(rel) : rel;
        const keys = st.keys.map((k) => this.value(k));
        const ds = keys.map((k, j) => `${k} AS __d${j}`);
        const inner = this.selectSql(
          r,
          `*, ${ds.join(', ')}, row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY ${r.order.join(', ')}) AS __rn`,
        );
        const keep = ['__rn = 1', ...keys.map((_, j) => `__d${j} IS NULL`)].join(' OR ');
        const a = this.alias('t');
        const exclude = ['__rn', ...keys.map((_, j) => `__d${j}`)].join(', ');
        const out: RelState = {
          from: `(SELECT * EXCLUDE (${exclude}) FROM (${inner}) WHERE ${keep}) AS ${a}`,
          where: [],
          raw: r.raw,
          order: r.order,
        };
        if (r.matched) out.matched = r.matched;
        return out;
      }
      case 'unnest': {
        const src = this.value(st.source);
        const list =
          st.source.kind === 'json'
            ? `(CASE WHEN ${src} IS NULL THEN [NULL] WHEN try(json_type(${src})) = 'ARRAY' THEN list_transform(CAST(json(${src}) AS JSON[]), x -> ${jsonScalar('x', true)}) ELSE [${src}] END)`
            : `(CASE WHEN ${src} IS NULL THEN [NULL] WHEN try(json_type(${src})) = 'ARRAY' THEN list_transform(CAST(json(${src}) AS JSON[]), x -> ${jsonScalar('x', true)}) ELSE [CAST(${src} AS VARCHAR)] END)`;
        return this.wrap(rel, `unnest(${list}) AS ${quoteIdent(st.id)}`);
      }
      case 'parseMulti': {
        const src = this.str(st.source);
        const re = quoteString(st.regex);
        const m = quoteIdent(st.matchId);
        const r1 = this.wrap(
          rel,
          `unnest(CASE WHEN len(regexp_extract_all(${src}, ${re})) = 0 THEN [NULL] ELSE regexp_extract_all(${src}, ${re}) END) AS ${m}`,
        );
        const caps = st.captures.map(
          (c) => `CASE WHEN ${m} IS NOT NULL THEN regexp_extract(${m}, ${re}, ${c.group}) END AS ${quoteIdent(c.id)}`,
        );
        return this.wrap(r1, caps.join(', '));
      }
      case 'aggregate': {
        let r = rel.limit !== undefined ? this.wrap(rel) : rel;
        const wantOrder = this.needsDefaultOrder(i);
        if (!r.raw && wantOrder) r = this.wrap(r, `row_number() OVER (ORDER BY ${r.order.join(', ')}) AS __pos`);
        const sel: string[] = [];
        st.keys.forEach((k) => sel.push(`${this.value(k.expr)} AS ${quoteIdent(k.id)}`));
        st.items.forEach((it) => sel.push(`${this.value(it.expr)} AS ${quoteIdent(it.id)}`));
        const firstStats = r.raw && !r.matched;
        if (firstStats) sel.push(`count(*) AS ${quoteIdent(st.countId)}`);
        else if (r.matched) sel.push(`max(${quoteIdent(r.matched)}) AS ${quoteIdent(r.matched)}`);
        const order: string[] = [];
        if (st.binKey) order.push(`${quoteIdent(st.binKey)} DESC NULLS LAST`);
        if (wantOrder) {
          if (r.raw) {
            sel.push('max(ts) AS __ots', 'max(seq) AS __oseq');
            order.push('__ots DESC', '__oseq DESC');
          } else {
            sel.push('min(__pos) AS __opos');
            order.push('__opos ASC');
          }
        }
        // Ties (and no default order needed): group keys, for a deterministic result.
        for (const k of st.keys)
          if (!order.some((o) => o.startsWith(quoteIdent(k.id)))) order.push(`${quoteIdent(k.id)} ASC NULLS LAST`);
        const groupBy = st.keys.length ? ` GROUP BY ${st.keys.map((_, j) => j + 1).join(', ')}` : '';
        // No events, no groups: an aggregate without `by` over zero rows returns no row.
        const having = st.keys.length === 0 ? ' HAVING count(*) > 0' : '';
        const inner = `${this.selectSql(r, sel.join(', '))}${groupBy}${having}`;
        const a = this.alias('s');
        let from = `(${inner}) AS ${a}`;
        let matched = r.matched;
        if (firstStats) {
          matched = '__matched';
          from = `(SELECT *, sum(${quoteIdent(st.countId)}) OVER () AS __matched FROM ${from}) AS ${this.alias('s')}`;
        }
        const out: RelState = { from, where: [], raw: false, order };
        if (matched) out.matched = matched;
        return out;
      }
      default: {
        const never: never = st;
        void never;
        return rel;
      }
    }
  }

  // ------------------------------------------------------------ ordering

  private sortTerms(t: SortTerm): string[] {
    const dir = t.desc ? 'DESC' : 'ASC';
    const v = this.value(t.expr);
    const k = t.expr.kind;
    // A constant sort key orders nothing (and DuckDB refuses ORDER BY a literal).
    if (k === 'null' || t.expr.k === 'lit') return [];
    if (k === 'number' || k === 'time' || k === 'bool') return [`${v} ${dir} NULLS LAST`];
    // CloudWatch's natural order for text: non-numbers first (digit runs by length, then value,
    // other runs by code point), then all-digit values by numeric value; missing last.
    return [
      `(CASE WHEN ${v} IS NULL THEN NULL WHEN regexp_full_match(${v}, '[0-9]+') THEN 1 ELSE 0 END) ${dir} NULLS LAST`,
      `TRY_CAST((CASE WHEN regexp_full_match(${v}, '[0-9]+') THEN ${v} END) AS DOUBLE) ${dir} NULLS LAST`,
      `${naturalKey(v)} ${dir} NULLS LAST`,
    ];
  }

  // ------------------------------------------------------------ expressions

  /** The expression as a condition (NULL and false are the same in WHERE). */
  cond(e: PExpr): string {
    if (e.k === 'call' && (e.fn === 'and' || e.fn === 'or')) {
      return `(${this.cond(e.args[0])} ${e.fn.toUpperCase()} ${this.cond(e.args[1])})`;
    }
    return this.bool(e);
  }

  bool(e: PExpr): string {
    if (e.kind === 'bool') return this.value(e);
    if (e.kind === 'null') return 'NULL';
    if (e.kind === 'number' || e.kind === 'time') return `(${this.value(e)} <> 0)`;
    return `(TRY_CAST(${this.value(e)} AS DOUBLE) <> 0)`;
  }

  num(e: PExpr): string {
    switch (e.kind) {
      case 'number':
      case 'time':
        return this.value(e);
      case 'bool':
        return `CAST(${this.value(e)} AS INTEGER)`;
      case 'null':
        return 'NULL';
      default:
        if (e.k === 'lit' && typeof e.value === 'string') {
          const n = Number(e.value);
          return e.value.trim() !== '' && Number.isFinite(n) ? numLit(n) : 'NULL';
        }
        return `TRY_CAST(${this.value(e)} AS DOUBLE)`;
    }
  }

  str(e: PExpr): string {
    switch (e.kind) {
      case 'string':
      case 'json':
        return this.value(e);
      case 'number':
        if (e.k === 'lit' && typeof e.value === 'number') return quoteString(formatNumberText(e.value));
        return numText(this.value(e));
      case 'time':
        return `strftime(make_timestamp(CAST(${this.value(e)} AS BIGINT) * 1000), '%Y-%m-%d %H:%M:%S.%g')`;
      case 'bool':
        return `CAST(CAST(${this.value(e)} AS INTEGER) AS VARCHAR)`;
      case 'null':
        return 'CAST(NULL AS VARCHAR)';
      default:
        return this.value(e);
    }
  }

  /** Bring several expressions to one SQL type (for coalesce/if/case). */
  private unify(es: PExpr[]): { sql: string[]; kind: ValueKind } {
    const kind = unifyKinds(es.map((e) => e.kind));
    const sql = es.map((e) => {
      if (e.kind === 'null') return nullOf(kind);
      if (e.kind === kind) return this.value(e);
      return kind === 'number' ? this.num(e) : this.str(e);
    });
    return { sql, kind };
  }

  /** SQL for a comparison with CloudWatch's coercion: numeric when both sides are numbers. */
  private compare(op: string, a: PExpr, b: PExpr): string {
    const sqlOp = op === '!=' ? '<>' : op;
    const numeric = (e: PExpr) => e.kind === 'number' || e.kind === 'time' || e.kind === 'bool';
    const numericText = (e: PExpr) =>
      e.k === 'lit' && typeof e.value === 'string' && e.value.trim() !== '' && Number.isFinite(Number(e.value));
    const textLit = (e: PExpr) => e.k === 'lit' && typeof e.value === 'string' && !numericText(e);
    if (a.kind === 'null' || b.kind === 'null') return 'NULL';
    if (numeric(a) && numeric(b)) return `(${this.num(a)} ${sqlOp} ${this.num(b)})`;
    if (textLit(b)) return `(${this.str(a)} ${sqlOp} ${this.value(b)})`;
    if (textLit(a)) return `(${this.value(a)} ${sqlOp} ${this.str(b)})`;
    if (numeric(a) && (numericText(b) || b.k === 'lit')) return `(${this.num(a)} ${sqlOp} ${this.num(b)})`;
    if (numeric(b) && (numericText(a) || a.k === 'lit')) return `(${this.num(a)} ${sqlOp} ${this.num(b)})`;
    // A text field against a number: numeric when the text is a number, else compare as text.
    return this.shareE(a, (x) =>
      this.shareE(b, (y) => {
        const na = this.num(x);
        const nb = this.num(y);
        return `(CASE WHEN ${na} IS NOT NULL AND ${nb} IS NOT NULL THEN ${na} ${sqlOp} ${nb} ELSE ${this.str(x)} ${sqlOp} ${this.str(y)} END)`;
      }),
    );
  }

  /** share() for a plan expression: `f` gets the expression itself, or a reference to the bound value. */
  private shareE(e: PExpr, f: (e: PExpr) => string): string {
    const sql = this.value(e);
    return share(sql, (x) => f(x === sql ? e : { k: 'ref', id: x, kind: e.kind }));
  }

  value(e: PExpr): string {
    switch (e.k) {
      case 'lit':
        if (e.value === null) return 'NULL';
        if (typeof e.value === 'number') return numLit(e.value);
        if (typeof e.value === 'boolean') return e.value ? 'TRUE' : 'FALSE';
        return quoteString(e.value);
      case 'base':
        switch (e.field) {
          case 'timestamp':
            return 'ts';
          case 'ingestionTime':
            return 'ingestion_ts';
          case 'logStream':
            return 'log_stream';
          case 'logGroup':
            return 'log_group';
          case 'log':
            return `(coalesce(account_id, '') || ':' || log_group)`;
          case 'message':
            return 'message';
          case 'seq':
            return 'seq';
          case 'kind':
            return 'kind';
          case 'accountId':
            return 'account_id';
          default:
            return 'NULL';
        }
      case 'hot':
        if (!e.mixed) return e.column;
        return `(CASE WHEN kind = 'bedrock' THEN CAST(${e.column} AS VARCHAR) ELSE ${messageField(e.jsonPath, true)} END)`;
      case 'meta': {
        const v = `request_metadata[${quoteString(e.key)}]`;
        if (!e.mixed) return v;
        return `(CASE WHEN kind = 'bedrock' THEN ${v} ELSE ${messageField(['requestMetadata', e.key], true)} END)`;
      }
      case 'json':
        if (e.source === null) return messageField(e.path, e.guard);
        return jsonValueField(this.value(e.source), e.path);
      case 'lambda':
        return lambdaField(e.field);
      case 'ref':
        return quoteIdent(e.id);
      case 'regex':
        return quoteString(e.pattern);
      case 'period':
        return String(periodMs(e.amount, e.unit) ?? 0);
      case 'agg':
        return this.agg(e);
      case 'call':
        return this.call(e);
      default: {
        const never: never = e;
        void never;
        return 'NULL';
      }
    }
  }

  private agg(e: Extract<PExpr, { k: 'agg' }>): string {
    const [a, b] = e.args;
    switch (e.fn) {
      case 'count_star':
        return 'count(*)';
      // A group with nothing to count shows no value rather than 0 [Obs].
      case 'count':
        return `NULLIF(count(${this.value(a)}), 0)`;
      case 'count_distinct':
        return `NULLIF(count(DISTINCT ${this.value(a)}), 0)`;
      case 'sum':
        return `sum(${this.num(a)})`;
      case 'avg':
        return `avg(${this.num(a)})`;
      case 'stddev':
        return `stddev_samp(${this.num(a)})`;
      case 'pct': {
        const p = b.k === 'lit' && typeof b.value === 'number' ? b.value / 100 : 0.5;
        return `quantile_disc(${this.num(a)}, ${numLit(p === 0 ? 0 : p)}::DOUBLE)`;
      }
      case 'min':
      case 'max': {
        if (a.kind === 'string' || a.kind === 'json') {
          // Text values: numeric order when they are numbers (JSON numbers arrive as text).
          const v = this.value(a);
          const f = e.fn === 'min' ? 'arg_min' : 'arg_max';
          return `coalesce(${f}(${v}, TRY_CAST(${v} AS DOUBLE)), ${e.fn}(${v}))`;
        }
        if (a.kind === 'bool') return `${e.fn}(${this.num(a)})`;
        return `${e.fn}(${this.value(a)})`;
      }
      case 'earliest':
      case 'latest': {
        if (a.k === 'base' && a.field === 'timestamp') return e.fn === 'earliest' ? 'min(ts)' : 'max(ts)';
        const v = this.value(a);
        const f = e.fn === 'earliest' ? 'arg_min' : 'arg_max';
        return `${f}(${v}, ts) FILTER (WHERE ${v} IS NOT NULL)`;
      }
      case 'sortsFirst':
      case 'sortsLast': {
        const f = e.fn === 'sortsFirst' ? 'arg_min' : 'arg_max';
        if (a.kind === 'number' || a.kind === 'time' || a.kind === 'bool')
          return `${e.fn === 'sortsFirst' ? 'min' : 'max'}(${this.num(a)})`;
        const v = this.value(a);
        const key = `{c: CASE WHEN regexp_full_match(${v}, '[0-9]+') THEN 1 ELSE 0 END, n: TRY_CAST(CASE WHEN regexp_full_match(${v}, '[0-9]+') THEN ${v} END AS DOUBLE), k: ${naturalKey(v)}}`;
        return `${f}(${v}, ${key})`;
      }
      case 'values':
        return `array_to_string(list_sort(list(DISTINCT ${this.str(a)})), ',')`;
      case 'rate': {
        // Change of f per period between the earliest and the latest event that have it.
        const v = this.num(a);
        const p = this.value(b);
        return `((arg_max(${v}, ts) FILTER (WHERE ${v} IS NOT NULL) - arg_min(${v}, ts) FILTER (WHERE ${v} IS NOT NULL)) / NULLIF(CAST(max(ts) FILTER (WHERE ${v} IS NOT NULL) - min(ts) FILTER (WHERE ${v} IS NOT NULL) AS DOUBLE) / ${p}, 0))`;
      }
      default:
        return 'NULL';
    }
  }

  private call(e: Extract<PExpr, { k: 'call' }>): string {
    const A = e.args;
    const n = (i: number) => this.num(A[i]);
    const s = (i: number) => this.str(A[i]);
    // Times are BIGINT epoch ms already; anything else is made one (missing when it cannot be).
    const epochMs = () => (A[0].kind === 'time' ? this.value(A[0]) : `TRY_CAST(${n(0)} AS BIGINT)`);
    const period = (i: number) => {
      const p = A[i];
      return p.k === 'period' ? p : { amount: 1, unit: 'ms' as DurationUnit };
    };
    switch (e.fn) {
      // operators
      // Integer literals are 64-bit: DuckDB would type 123456789 * 1000 as a 32-bit product.
      case '+':
      case '-':
      case '*':
        return `(${big(A[0], n(0))} ${e.fn} ${big(A[1], n(1))})`;
      case '/':
        return `(${n(0)} / ${n(1)})`;
      case '%':
        return `(CAST(${n(0)} AS DOUBLE) % ${n(1)})`;
      case '^':
        return `pow(${n(0)}, ${n(1)})`;
      case 'neg':
        return `(- ${n(0)})`;
      case '=':
      case '!=':
      case '<':
      case '<=':
      case '>':
      case '>=':
        return this.compare(e.fn, A[0], A[1]);
      case 'and':
      case 'or':
        return `(${this.bool(A[0])} ${e.fn.toUpperCase()} ${this.bool(A[1])})`;
      // not: a missing operand counts as false, so `not like` / `not in` hold for a missing field.
      case 'not':
        return `(NOT coalesce(${this.bool(A[0])}, FALSE))`;
      case 'contains':
        return `contains(${s(0)}, ${s(1)})`;
      case 'regex_match':
        return `regexp_matches(${s(0)}, ${this.value(A[1])})`;
      case 'in': {
        const subj = A[0];
        const items = A.slice(1);
        if (items.length === 0) return 'FALSE';
        const textItems = items.every(
          (x) =>
            x.k === 'lit' &&
            typeof x.value === 'string' &&
            !(x.value.trim() !== '' && Number.isFinite(Number(x.value))),
        );
        if (textItems) return `(${this.str(subj)} IN (${items.map((x) => this.value(x)).join(', ')}))`;
        if (subj.kind === 'number' && items.every((x) => x.k === 'lit' && typeof x.value === 'number')) {
          return `(${this.value(subj)} IN (${items.map((x) => this.value(x)).join(', ')}))`;
        }
        return this.shareE(subj, (sj) => '(' + items.map((x) => this.compare('=', sj, x)).join(' OR ') + ')');
      }
      case 'regex_extract': {
        const re = this.value(A[1]);
        const g = this.value(A[2]);
        return share(
          s(0),
          (src) => `(CASE WHEN regexp_matches(${src}, ${re}) THEN regexp_extract(${src}, ${re}, ${g}) END)`,
        );
      }
      // numeric
      case 'abs':
        return `abs(${n(0)})`;
      case 'ceil':
        return `ceil(${n(0)})`;
      case 'floor':
        return `floor(${n(0)})`;
      case 'sqrt':
        return `(CASE WHEN ${n(0)} >= 0 THEN sqrt(${n(0)}) END)`;
      case 'log':
        return `(CASE WHEN ${n(0)} > 0 THEN ln(${n(0)}) END)`;
      case 'greatest':
        return `greatest(${A.map((_, i) => n(i)).join(', ')})`;
      case 'least':
        return `least(${A.map((_, i) => n(i)).join(', ')})`;
      case 'round':
        return A.length > 1 ? `round(${n(0)}, TRY_CAST(${n(1)} AS INTEGER))` : `round(${n(0)})`;
      case 'haversine': {
        const [la1, lo1, la2, lo2] = [n(0), n(1), n(2), n(3)];
        return `(2 * 6371 * asin(sqrt(pow(sin(radians(${la2} - ${la1}) / 2), 2) + cos(radians(${la1})) * cos(radians(${la2})) * pow(sin(radians(${lo2} - ${lo1}) / 2), 2))))`;
      }
      case 'tonumber':
      case 'todouble':
        return A[0].kind === 'number' ? n(0) : `TRY_CAST(${s(0)} AS DOUBLE)`;
      case 'toint':
        return `TRY_CAST(trunc(${A[0].kind === 'number' ? n(0) : `TRY_CAST(${s(0)} AS DOUBLE)`}) AS INTEGER)`;
      case 'tolong':
        return `TRY_CAST(trunc(${A[0].kind === 'number' ? n(0) : `TRY_CAST(${s(0)} AS DOUBLE)`}) AS BIGINT)`;
      // general
      case 'ispresent':
        return A[0].kind === 'null' ? 'FALSE' : `(${this.value(A[0])} IS NOT NULL)`;
      case 'coalesce': {
        const u = this.unify(A);
        return `coalesce(${u.sql.join(', ')})`;
      }
      case 'if': {
        const u = this.unify([A[1], A[2]]);
        return `(CASE WHEN coalesce(${this.bool(A[0])}, FALSE) THEN ${u.sql[0]} ELSE ${u.sql[1]} END)`;
      }
      case 'case': {
        const values: PExpr[] = [];
        for (let i = 1; i < A.length; i += 2) values.push(A[i]);
        const hasDefault = A.length % 2 === 1;
        if (hasDefault) values.push(A[A.length - 1]);
        const u = this.unify(values);
        let out = 'CASE';
        let vi = 0;
        for (let i = 0; i + 1 < A.length; i += 2)
          out += ` WHEN coalesce(${this.bool(A[i])}, FALSE) THEN ${u.sql[vi++]}`;
        if (hasDefault) out += ` ELSE ${u.sql[vi]}`;
        return `(${out} END)`;
      }
      case 'isnumeric':
        return `coalesce(TRY_CAST(${s(0)} AS DOUBLE) IS NOT NULL, FALSE)`;
      case 'messagesize':
        return `strlen(${s(0)})`;
      case 'querystarttime':
        return this.plan.startTime !== undefined ? String(this.plan.startTime) : 'NULL';
      case 'queryendtime':
        return this.plan.endTime !== undefined ? String(this.plan.endTime) : 'NULL';
      case 'querytimerange':
        return this.plan.startTime !== undefined && this.plan.endTime !== undefined
          ? String(this.plan.endTime - this.plan.startTime)
          : 'NULL';
      case 'unmask':
        return this.value(A[0]);
      // string
      case 'isempty':
        return A[0].kind === 'null' ? 'TRUE' : `(${this.value(A[0])} IS NULL OR ${s(0)} = '')`;
      case 'isblank':
        return A[0].kind === 'null' ? 'TRUE' : `(${this.value(A[0])} IS NULL OR regexp_full_match(${s(0)}, '\\s*'))`;
      case 'concat':
        return `concat(${A.map((_, i) => s(i)).join(', ')})`;
      case 'ltrim':
        return A.length > 1 ? `ltrim(${s(0)}, ${s(1)})` : `regexp_replace(${s(0)}, '^\\s+', '')`;
      case 'rtrim':
        return A.length > 1 ? `rtrim(${s(0)}, ${s(1)})` : `regexp_replace(${s(0)}, '\\s+$', '')`;
      case 'trim':
        return A.length > 1 ? `trim(${s(0)}, ${s(1)})` : `regexp_replace(${s(0)}, '^\\s+|\\s+$', '', 'g')`;
      case 'strlen':
        return `length(${s(0)})`;
      case 'toupper':
        return `upper(${s(0)})`;
      case 'tolower':
        return `lower(${s(0)})`;
      case 'substr':
        return A.length > 2
          ? `substring(${s(0)}, TRY_CAST(${n(1)} AS BIGINT) + 1, TRY_CAST(${n(2)} AS BIGINT))`
          : `substring(${s(0)}, TRY_CAST(${n(1)} AS BIGINT) + 1)`;
      case 'replace':
        return `replace(${s(0)}, ${s(1)}, ${s(2)})`;
      case 'regexreplace': {
        const repl =
          A[2].k === 'lit' && typeof A[2].value === 'string'
            ? quoteString(A[2].value.replace(/\\/g, '\\\\').replace(/\$\{?(\d)\}?/g, '\\$1'))
            : s(2);
        return `regexp_replace(${s(0)}, ${this.value(A[1])}, ${repl}, 'g')`;
      }
      case 'strcontains':
        return `contains(${s(0)}, ${s(1)})`;
      case 'startswith':
        return `prefix(${s(0)}, ${s(1)})`;
      case 'endswith':
        return `suffix(${s(0)}, ${s(1)})`;
      case 'split':
        return `CAST(to_json(string_split(${s(0)}, ${s(1)})) AS VARCHAR)`;
      case 'urlencode':
        return `url_encode(${s(0)})`;
      case 'urldecode':
        return `try(url_decode(${s(0)}))`;
      case 'base64encode':
        return `to_base64(encode(${s(0)}))`;
      case 'base64decode':
        return `try(decode(from_base64(${s(0)})))`;
      case 'hextoascii':
        return `try(decode(unhex(regexp_replace(${s(0)}, '^0[xX]', ''))))`;
      case 'hextodec':
        return `TRY_CAST(('0x' || regexp_replace(${s(0)}, '^0[xX]', '')) AS BIGINT)`;
      case 'dectohex':
        return `(CASE WHEN ${n(0)} < 0 THEN '-0x' || lower(hex(TRY_CAST(trunc(- ${n(0)}) AS BIGINT))) ELSE '0x' || lower(hex(TRY_CAST(trunc(${n(0)}) AS BIGINT))) END)`;
      // datetime
      case 'bin':
      case 'datefloor': {
        const p = period(1);
        return floorTime(epochMs(), p.amount, p.unit);
      }
      case 'dateceil': {
        const p = period(1);
        return ceilTime(epochMs(), p.amount, p.unit);
      }
      case 'frommillis':
        return `TRY_CAST(${n(0)} AS BIGINT)`;
      case 'tomillis':
        return A[0].kind === 'time' || A[0].kind === 'number' ? n(0) : `epoch_ms(TRY_CAST(${s(0)} AS TIMESTAMPTZ))`;
      case 'now':
        return String(Math.floor(this.opts.now / 1000));
      case 'parsedate': {
        const fmt =
          A[1].k === 'lit' && typeof A[1].value === 'string' ? quoteString(javaToStrptime(A[1].value)) : 'NULL';
        const parsed = `try_strptime(${s(0)}, ${fmt})`;
        if (A.length > 2) return `epoch_ms(try(timezone(${s(2)}, CAST(${parsed} AS TIMESTAMP))))`;
        return `epoch_ms(CAST(${parsed} AS TIMESTAMP))`;
      }
      case 'formatdate': {
        const t = `make_timestamp(CAST(${n(0)} AS BIGINT) * 1000)`;
        if (A.length > 2)
          return `try(strftime(timezone(${s(2)}, to_timestamp(CAST(${n(0)} AS DOUBLE) / 1000)), ${s(1)}))`;
        return `strftime(${t}, ${s(1)})`;
      }
      // IP
      case 'isvalidip':
        return `coalesce(regexp_full_match(${s(0)}, '${IPV4_RE}') OR regexp_full_match(${s(0)}, '${IPV6_RE}'), FALSE)`;
      case 'isvalidipv4':
        return `coalesce(regexp_full_match(${s(0)}, '${IPV4_RE}'), FALSE)`;
      case 'isvalidipv6':
        return `coalesce(regexp_full_match(${s(0)}, '${IPV6_RE}'), FALSE)`;
      case 'ipv4tonumber':
        return ipv4ToNumberSql(s(0));
      case 'isipinsubnet':
      case 'isipv4insubnet': {
        if (e.fn === 'isipinsubnet' && A[1].k === 'lit' && typeof A[1].value === 'string' && A[1].value.includes(':')) {
          return this.call({ ...e, fn: 'isipv6insubnet' });
        }
        const ip = ipv4ToNumberSql(s(0));
        const c = A[1];
        if (c.k === 'lit' && typeof c.value === 'string' && /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(c.value)) {
          const [net, bits] = c.value.split('/');
          const size = 2 ** (32 - Number(bits));
          const lo = Math.floor(ipv4Number(net) / size) * size;
          return `coalesce(${ip} BETWEEN ${lo} AND ${lo + size - 1}, FALSE)`;
        }
        const size = `CAST(pow(2, 32 - TRY_CAST(split_part(${s(1)}, '/', 2) AS INTEGER)) AS BIGINT)`;
        return `coalesce(${ip} // ${size} = ${ipv4ToNumberSql(`split_part(${s(1)}, '/', 1)`)} // ${size}, FALSE)`;
      }
      case 'isipv6insubnet': {
        const c = A[1];
        const net = c.k === 'lit' && typeof c.value === 'string' ? ipv6Prefix(c.value) : undefined;
        if (!net) return 'FALSE';
        const hex = ipv6HexSql(s(0));
        const whole = Math.floor(net.bits / 4);
        const conds = [`regexp_full_match(${s(0)}, '${IPV6_RE}')`];
        if (whole > 0) conds.push(`substr(${hex}, 1, ${whole}) = ${quoteString(net.hex.slice(0, whole))}`);
        const rest = net.bits % 4;
        if (rest) {
          const want = parseInt(net.hex[whole], 16) >> (4 - rest);
          conds.push(`(CAST(('0x' || substr(${hex}, ${whole + 1}, 1)) AS INTEGER) >> ${4 - rest}) = ${want}`);
        }
        return `coalesce(${conds.join(' AND ')}, FALSE)`;
      }
      case 'isprivateip':
        return `coalesce(${rangeTest(ipv4ToNumberSql(s(0)), PRIVATE_V4)}, FALSE)`;
      case 'isreservedip':
        return `coalesce(${rangeTest(ipv4ToNumberSql(s(0)), RESERVED_V4)}, FALSE)`;
      case 'ispublicip':
        return `coalesce(${ipv4ToNumberSql(s(0))} IS NOT NULL AND NOT ${rangeTest(ipv4ToNumberSql(s(0)), RESERVED_V4)}, FALSE)`;
      // JSON
      case 'jsonparse':
        return share(
          s(0),
          (v) =>
            `(CASE WHEN try(json_type(${v})) IN ('OBJECT', 'ARRAY') AND NOT regexp_full_match(${v}, '\\s*(\\{\\s*\\}|\\[\\s*\\])\\s*') THEN CAST(json(${v}) AS VARCHAR) END)`,
        );
      case 'jsonstringify':
        return A[0].kind === 'json'
          ? `CAST(try(json(${s(0)})) AS VARCHAR)`
          : `CAST(to_json(${this.value(A[0])}) AS VARCHAR)`;
      case 'jsonarraysize':
        return `(CASE WHEN try(json_type(${s(0)})) = 'ARRAY' THEN json_array_length(${s(0)}) END)`;
      case 'jsonarraycontains': {
        const needle =
          A[1].kind === 'number' ? `CAST(to_json(${n(1)}) AS VARCHAR)` : `CAST(to_json(${s(1)}) AS VARCHAR)`;
        return `coalesce(CASE WHEN try(json_type(${s(0)})) = 'ARRAY' THEN list_contains(list_transform(CAST(json(${s(0)}) AS JSON[]), x -> CAST(x AS VARCHAR)), ${needle}) END, FALSE)`;
      }
      // hashing
      case 'md5':
        return `md5(${s(0)})`;
      case 'sha256':
        return `sha256(${s(0)})`;
      case 'csv_unquote':
        return share(
          s(0),
          (v) =>
            `(CASE WHEN starts_with(${v}, '"') AND length(${v}) >= 2 THEN replace(substr(${v}, 2, length(${v}) - 2), '""', '"') ELSE ${v} END)`,
        );
      case 'logfmt': {
        const m = `regexp_extract_all(${s(0)}, '[^\\s=]+=("[^"]*"|[^\\s]*)')`;
        return `(CASE WHEN len(${m}) > 0 THEN CAST(try(to_json(map_from_entries(list_transform(${m}, m -> {k: split_part(m, '=', 1), v: trim(substr(m, strpos(m, '=') + 1), '"')})))) AS VARCHAR) END)`;
      }
      // by-clause
      case 'histogram':
        return `(floor(${n(0)} / ${n(1)}) * ${n(1)})`;
      default:
        return 'NULL';
    }
  }
}

function big(e: PExpr, sql: string): string {
  return e.k === 'lit' && typeof e.value === 'number' && Number.isInteger(e.value) ? `CAST(${sql} AS BIGINT)` : sql;
}

function nullOf(kind: ValueKind): string {
  switch (kind) {
    case 'number':
      return 'CAST(NULL AS DOUBLE)';
    case 'time':
      return 'CAST(NULL AS BIGINT)';
    case 'bool':
      return 'CAST(NULL AS BOOLEAN)';
    default:
      return 'CAST(NULL AS VARCHAR)';
  }
}

/** Number text in SQL: integral values without a fraction, others as DuckDB prints doubles. */
function numText(v: string): string {
  return share(
    v,
    (x) =>
      `(CASE WHEN ${x} = trunc(${x}) AND abs(${x}) < 1e15 THEN CAST(CAST(${x} AS BIGINT) AS VARCHAR) ELSE CAST(${x} AS VARCHAR) END)`,
  );
}

function formatNumberText(n: number): string {
  return Number.isInteger(n) ? n.toFixed(0) : String(n);
}

/** Expand an IPv6 address to 32 lowercase hex digits (TypeScript side, for literals). */
export function ipv6Hex(ip: string): string | undefined {
  const parts = ip.toLowerCase().split('::');
  if (parts.length > 2) return undefined;
  const left = parts[0] ? parts[0].split(':') : [];
  const right = parts.length === 2 && parts[1] ? parts[1].split(':') : [];
  const fill = parts.length === 2 ? 8 - left.length - right.length : 0;
  const groups = [...left, ...Array(Math.max(0, fill)).fill('0'), ...right];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => g.padStart(4, '0')).join('');
}

function ipv6Prefix(cidr: string): { hex: string; bits: number } | undefined {
  const [ip, bitsText] = cidr.split('/');
  const hex = ipv6Hex(ip ?? '');
  const bits = Number(bitsText ?? '128');
  if (!hex || !Number.isInteger(bits) || bits < 0 || bits > 128) return undefined;
  return { hex, bits };
}

/** The same expansion in SQL (`::` filled with zero groups). */
function ipv6HexSql(ip: string): string {
  const l = `split_part(lower(${ip}), '::', 1)`;
  const r = `split_part(lower(${ip}), '::', 2)`;
  const nl = `(CASE WHEN ${l} = '' THEN 0 ELSE len(string_split(${l}, ':')) END)`;
  const nr = `(CASE WHEN ${r} = '' THEN 0 ELSE len(string_split(${r}, ':')) END)`;
  const full = `(CASE WHEN contains(${ip}, '::') THEN concat_ws(':', nullif(${l}, ''), nullif(rtrim(repeat('0:', CAST(8 - ${nl} - ${nr} AS BIGINT)), ':'), ''), nullif(${r}, '')) ELSE lower(${ip}) END)`;
  return `array_to_string(list_transform(string_split(${full}, ':'), g -> lpad(g, 4, '0')), '')`;
}

function ipv4ToNumberSql(ipSql: string): string {
  return share(
    ipSql,
    (ip) =>
      `(CASE WHEN regexp_full_match(${ip}, '${IPV4_RE}') THEN CAST(split_part(${ip}, '.', 1) AS BIGINT) * 16777216 + CAST(split_part(${ip}, '.', 2) AS BIGINT) * 65536 + CAST(split_part(${ip}, '.', 3) AS BIGINT) * 256 + CAST(split_part(${ip}, '.', 4) AS BIGINT) END)`,
  );
}

/** The natural-sort key of a text (see sortTerms). */
function naturalKey(v: string): string {
  return `array_to_string(list_transform(regexp_extract_all(${v}, '[0-9]+|[^0-9]+'), r -> CASE WHEN regexp_full_match(r, '[0-9]+') THEN '0' || lpad(CAST(length(r) AS VARCHAR), 6, '0') || r ELSE r END), '')`;
}

/**
 * A JSON value (SQL JSON/VARCHAR expression `j`) as a discovered-field value: strings unquoted,
 * numbers as their text, booleans as 1/0, null/{}/[] missing; objects and arrays missing
 * (discovery flattens them) unless `keepContainers` (jsonParse values keep them as JSON text).
 */
function jsonScalar(jSql: string, keepContainers: boolean): string {
  return share(jSql, (j) => jsonScalarOf(j, keepContainers));
}

function jsonScalarOf(j: string, keepContainers: boolean): string {
  const container = keepContainers
    ? `WHEN 'OBJECT' THEN (CASE WHEN CAST(${j} AS VARCHAR) = '{}' THEN NULL ELSE CAST(${j} AS VARCHAR) END) WHEN 'ARRAY' THEN (CASE WHEN CAST(${j} AS VARCHAR) = '[]' THEN NULL ELSE CAST(${j} AS VARCHAR) END)`
    : `WHEN 'OBJECT' THEN NULL WHEN 'ARRAY' THEN NULL`;
  return `(CASE json_type(${j}) WHEN 'VARCHAR' THEN json_extract_string(${j}, '$') WHEN 'BOOLEAN' THEN (CASE WHEN CAST(${j} AS VARCHAR) = 'true' THEN '1' ELSE '0' END) WHEN 'NULL' THEN NULL ${container} ELSE CAST(${j} AS VARCHAR) END)`;
}

/** Lambda platform fields from text lines (`REPORT RequestId: … Duration: 14.97 ms …`). */
function lambdaField(field: string): string {
  const re = (p: string, g = 1) => `nullif(regexp_extract(message, ${quoteString(p)}, ${g}), '')`;
  const num = (p: string, scale = 1) => `(TRY_CAST(${re(p)} AS DOUBLE)${scale !== 1 ? ` * ${scale}` : ''})`;
  let v: string;
  switch (field) {
    case '@type':
      v = re('^(START|END|REPORT|INIT_START|INIT_REPORT|RESTORE_START|RESTORE_REPORT|EXTENSION|TELEMETRY) ');
      break;
    case '@requestId':
      v = `coalesce(${re('^(?:START|END|REPORT) RequestId: ([^\\s]+)')}, ${re('^\\[?[A-Z]+\\]?\\t[^\\t]+\\t([0-9a-fA-F-]{8,})\\t')})`;
      break;
    case '@duration':
      v = num('^REPORT .*\\tDuration: ([0-9.]+) ms');
      break;
    case '@billedDuration':
      v = num('^REPORT .*Billed Duration: ([0-9.]+) ms');
      break;
    case '@memorySize':
      v = num('^REPORT .*Memory Size: ([0-9.]+) MB', 1_000_000);
      break;
    case '@maxMemoryUsed':
      v = num('^REPORT .*Max Memory Used: ([0-9.]+) MB', 1_000_000);
      break;
    case '@initDuration':
      v = num('^REPORT .*Init Duration: ([0-9.]+) ms');
      break;
    case '@xrayTraceId':
      v = re('^REPORT .*XRAY TraceId: ([^\\s]+)');
      break;
    case '@xraySegmentId':
      v = re('^REPORT .*SegmentId: ([^\\s]+)');
      break;
    default:
      return 'NULL';
  }
  return `(CASE WHEN kind <> 'bedrock' THEN ${v} END)`;
}

/**
 * A discovered field of @message. `guard`: the message may not be JSON (generic events), so the
 * read is guarded, and a text line's first embedded JSON object (`… Job info: {…}`) is read.
 */
function messageField(path: (string | number)[], guard: boolean): string {
  const ptr = quoteString(jsonPointer(path));
  if (!guard) return jsonScalar(`json_extract(message, ${ptr})`, false);
  const fragment = `(CASE WHEN starts_with(message, '{') THEN message ELSE substr(message, strpos(message, '{'), length(message) - strpos(message, '{') - strpos(reverse(message), '}') + 2) END)`;
  return jsonScalar(`try(json_extract(${fragment}, ${ptr}))`, false);
}

/** A path inside a jsonParse value. */
function jsonValueField(src: string, path: (string | number)[]): string {
  return jsonScalar(`try(json_extract(${src}, ${quoteString(jsonPointer(path))}))`, true);
}

/** Compile a plan to DuckDB SQL. */
export function compileDuckDb(plan: Plan, opts: CompileOptions): CompiledQuery {
  shareSeq = 0;
  return new Compiler(plan, opts).compile();
}

export type { NamedExpr };
