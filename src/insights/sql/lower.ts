/**
 * The shared lowering: a logical plan (src/insights/plan.ts) → one SQL statement over the events
 * relation, plus what an engine needs to turn result rows into CloudWatch rows and to compute
 * the statistics. It is written once for every dialect; the dialect (dialect.ts) spells the SQL.
 *
 * Lean by construction: field references are inlined as expressions over the typed columns (no
 * subquery per command); a relation is wrapped in a subquery only where the pipeline really
 * changes shape (stats, limit before more commands, dedup, unnest). Hidden ordering aggregates
 * are computed only when a later step depends on the default order.
 *
 * SQL value representation per kind: number -> BIGINT/DOUBLE, string -> VARCHAR, bool -> BOOLEAN,
 * time -> BIGINT epoch ms, json -> VARCHAR (scalar text, or JSON text for maps/lists), null -> NULL.
 */
import { unifyKinds } from '../functions.js';
import type { CallFn, PExpr, Plan, SortTerm, Stage, ValueKind } from '../plan.js';
import type {
  AggExpr,
  Call,
  CallExpr,
  CompiledColumn,
  CompiledQuery,
  CompileOptions,
  Dialect,
  Lower,
  ScanRange,
} from './dialect.js';
import { LAMBDA_PATTERNS } from './lambda.js';
import { ANOMALY, PATTERN_DEFAULT_SEVERITY, PATTERN_SEVERITIES } from './patterns.js';
import { periodMs } from './periods.js';
import {
  coveredSql,
  decideRollup,
  dirtyIn,
  rollupAggregateSql,
  uncoveredSql,
  type AnswerSource,
  type RollupRewrite,
} from './rollup.js';

type StageOf<K extends Stage['op']> = Extract<Stage, { op: K }>;

/** Expressions longer than this are bound once rather than repeated (see share()). */
const SHARE_ABOVE = 100;

/** Comparisons and matches: false, never missing, when an operand is missing (docs/semantics.md #1). */
const PREDICATES: ReadonlySet<CallFn> = new Set<CallFn>([
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'contains',
  'regex_match',
  'in',
]);

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

class Lowering implements Lower {
  private sub = 0;
  private bound = 0;
  private readsMessage = false;
  readonly now: number;
  /** The first stats answered from the roll-up (sql/rollup.ts), when it can be. */
  private rollup?: RollupRewrite;
  private answeredBy?: AnswerSource;
  private logGroupWhere: string[] = [];
  private scanConds: string[] = [];

  constructor(
    readonly plan: Plan,
    readonly dialect: Dialect,
    private readonly opts: CompileOptions,
  ) {
    this.now = opts.now;
  }

  /** Decides between the roll-up and the events (only when the engine offers a roll-up). */
  private chooseSource(scan: ScanRange): void {
    const source = this.opts.rollup;
    if (source === undefined) return;
    if (!this.plan.aggregated) {
      this.answeredBy = { source: 'events', reason: 'not a stats query' };
      return;
    }
    if (source === null) {
      this.answeredBy = { source: 'events', reason: this.opts.rollupUnavailable ?? 'the store has no roll-up' };
      return;
    }
    const d = decideRollup(this.plan, this, source);
    if (!d.ok) {
      this.answeredBy = { source: 'events', reason: d.reason };
      return;
    }
    this.rollup = d.rewrite;
    const hours: { from?: number; to?: number } = {};
    if (d.rewrite.from !== undefined) hours.from = d.rewrite.from;
    if (d.rewrite.to !== undefined) hours.to = d.rewrite.to;
    this.answeredBy = {
      source: 'rollup',
      rollupHours: hours,
      dirtyBuckets: dirtyIn(d.rewrite, source, scan.logGroups).length,
      edgeEvents:
        (scan.startTime !== undefined && scan.startTime !== d.rewrite.from) ||
        (scan.endTime !== undefined && scan.endTime + 1 !== d.rewrite.to) ||
        (scan.startTime === undefined) !== (d.rewrite.from === undefined) ||
        (scan.endTime === undefined) !== (d.rewrite.to === undefined),
    };
  }

  compile(): CompiledQuery {
    const p = this.plan;
    const d = this.dialect;
    const scan = this.scanRange();
    const scanWhere = this.scanWhere(scan);
    this.scanConds = scanWhere;
    this.chooseSource(scan);
    let rel: RelState = {
      from: d.table,
      where: [...scanWhere],
      raw: true,
      order: [`${d.column('timestamp')} DESC NULLS LAST`, `${d.column('seq')} DESC NULLS LAST`],
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
        matchedSql = `SELECT count(*) FROM ${d.table} WHERE ${[...scanWhere, ...conds].join('\n  AND ') || 'TRUE'}`;
      } else {
        // Filters over computed columns: count the rows of the relation (without order or limit).
        let r: RelState = { from: d.table, where: [...scanWhere], raw: true, order: [] };
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
    const select = p.columns.map((c, i) => `${this.value(c.expr)} AS ${d.ident(cols[i].alias)}`);
    const ptr = !p.aggregated && rel.raw;
    if (ptr) select.push(`${d.column('logGroup')} AS __lg`, `${d.column('seq')} AS __seq`);
    if (rel.matched) select.push(`${d.ident(rel.matched)} AS __matched`);
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
    const where = scanWhere.join(' AND ');
    // One candidate group: no need to read the log group column to count the groups scanned.
    const groups =
      (p.source.candidates ?? 2) <= 1
        ? 'CASE WHEN count(*) > 0 THEN 1 ELSE 0 END'
        : `count(DISTINCT ${d.column('logGroup')})`;
    const out: CompiledQuery = {
      sql,
      columns: cols,
      ptr,
      aggregated: p.aggregated,
      scannedSql: this.rollup
        ? this.rollupScannedSql(scan, scanWhere, groups)
        : `SELECT count(*) AS scanned, ${groups} AS groups FROM ${d.table}${where ? ` WHERE ${where}` : ''}`,
      scan,
      scanWhere: where,
      readsMessage: this.readsMessage,
    };
    if (rowCap !== undefined) out.rowCap = rowCap;
    if (rel.matched) out.matchedColumn = '__matched';
    if (matchedSql) out.matchedSql = matchedSql;
    if (this.answeredBy) out.answeredBy = this.answeredBy;
    return out;
  }

  /** The events in range counted from the roll-up's clean covered hours and the other events. */
  private rollupScannedSql(scan: ScanRange, scanWhere: string[], groups: string): string {
    const d = this.dialect;
    const rw = this.rollup!;
    const source = this.opts.rollup!;
    const lg = d.column('logGroup');
    const rollupSide = [...this.logGroupWhere, coveredSql(rw, source, scan.logGroups, this)];
    const eventsSides = uncoveredSql(rw, source, scan.logGroups, this).map(
      (piece) => `SELECT ${lg}, 1 AS __n FROM ${d.table} WHERE ${[...scanWhere, piece].join(' AND ')}`,
    );
    const union = [
      `SELECT ${lg}, r_n AS __n FROM ${source.table} WHERE ${rollupSide.join(' AND ')}`,
      ...eventsSides,
    ].join(' UNION ALL ');
    const g = groups.replace('count(*)', 'sum(__n)');
    return `SELECT ${d.cast('coalesce(sum(__n), 0)', 'BIGINT')} AS scanned, ${g} AS groups FROM (${union}) AS __rs`;
  }

  private scanRange(): ScanRange {
    const p = this.plan;
    const scan: ScanRange = { logGroups: p.source.names };
    const range = p.scan ?? p;
    if (range.startTime !== undefined) scan.startTime = Math.trunc(range.startTime);
    if (range.endTime !== undefined) scan.endTime = Math.trunc(range.endTime);
    return scan;
  }

  private scanWhere(scan: ScanRange): string[] {
    const d = this.dialect;
    const w: string[] = [];
    if (scan.logGroups !== 'all') {
      w.push(
        scan.logGroups.length === 0
          ? 'FALSE'
          : `${d.column('logGroup')} IN (${scan.logGroups.map((n) => d.string(n)).join(', ')})`,
      );
    }
    this.logGroupWhere = [...w];
    if (scan.startTime !== undefined) w.push(`${d.column('timestamp')} >= ${scan.startTime}`);
    if (scan.endTime !== undefined) w.push(`${d.column('timestamp')} <= ${scan.endTime}`);
    return [...w, ...d.pruneScan(scan)];
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

  /** Wrap the relation in a subquery keeping every column name (plus `extra` select items). */
  private wrap(rel: RelState, extra = ''): RelState {
    return this.wrapSelect(rel, extra ? `*, ${extra}` : '*', rel.from);
  }

  private wrapSelect(rel: RelState, select: string, from: string): RelState {
    const a = this.alias('t');
    const out: RelState = {
      from: `(${this.selectSql({ ...rel, from }, select)}) AS ${a}`,
      where: [],
      raw: rel.raw,
      order: rel.order,
    };
    if (rel.matched) out.matched = rel.matched;
    return out;
  }

  /** One row per element of the SQL list `list`, as column `id`. */
  private unnest(rel: RelState, list: string, id: string): RelState {
    const u = this.dialect.unnest(rel.from, list, this.dialect.ident(id));
    return this.wrapSelect(rel, u.select, u.from);
  }

  /** Does a step after stage i rely on the default order of the relation produced at i? */
  private needsDefaultOrder(i: number): boolean {
    for (const st of this.plan.stages.slice(i + 1)) {
      if (st.op === 'sort') return false;
      if (st.op === 'limit' || st.op === 'dedup' || st.op === 'aggregate') return true;
      if (st.op === 'fillmissing' || st.op === 'pattern') return false;
    }
    return true;
  }

  /** One stage of the plan over the relation so far. */
  private stage(rel: RelState, i: number): RelState {
    const st = this.plan.stages[i];
    switch (st.op) {
      case 'filter':
        return this.filter(rel, st);
      case 'sort':
        return this.sort(rel, st);
      case 'limit': {
        const r = this.settled(rel);
        return { ...r, limit: st.count };
      }
      case 'fillmissing':
        return this.fillmissing(rel, st);
      case 'project':
        return this.wrap(rel, st.cols.map((c) => `${this.value(c.expr)} AS ${this.dialect.ident(c.id)}`).join(', '));
      case 'dedup':
        return this.dedup(rel, st);
      case 'unnest':
        return this.unnest(rel, this.dialect.unnestList(this, this.value(st.source), st.source.kind), st.id);
      case 'parseMulti':
        return this.parseMulti(rel, st);
      case 'pattern':
        return this.pattern(rel, st);
      case 'aggregate':
        return this.aggregate(rel, st, this.needsDefaultOrder(i));
      default: {
        const never: never = st;
        void never;
        return rel;
      }
    }
  }

  /** The relation with no pending ORDER BY/LIMIT (wrapped when it has one), so a new step applies after it. */
  private settled(rel: RelState): RelState {
    return rel.limit !== undefined ? this.wrap(rel) : rel;
  }

  private filter(rel: RelState, st: StageOf<'filter'>): RelState {
    const r = this.settled(rel);
    return { ...r, where: [...r.where, this.cond(st.cond)] };
  }

  private sort(rel: RelState, st: StageOf<'sort'>): RelState {
    const r = this.settled(rel);
    const terms = st.terms.flatMap((t) => this.sortTerms(t));
    // Stable: ties keep the previous order.
    const exprOf = (o: string) => o.replace(/ (ASC|DESC)( NULLS (FIRST|LAST))?$/, '');
    const taken = new Set(terms.map(exprOf));
    return { ...r, order: [...terms, ...r.order.filter((o) => !taken.has(exprOf(o)))] };
  }

  /** Every bin of the range (or of the first to the last bin) with every key, filled where empty. */
  private fillmissing(rel: RelState, st: StageOf<'fillmissing'>): RelState {
    const d = this.dialect;
    const q = (id: string) => d.ident(id);
    const r = this.settled(rel);
    const inner = this.selectSql(r);
    const b = q(st.binKey);
    const lo =
      this.plan.startTime !== undefined
        ? d.floorTime(this, String(Math.trunc(this.plan.startTime)), st.amount, st.unit)
        : `(SELECT min(${b}) FROM agg)`;
    const hi =
      this.plan.endTime !== undefined
        ? d.floorTime(this, String(Math.trunc(this.plan.endTime)), st.amount, st.unit)
        : `(SELECT max(${b}) FROM agg)`;
    const series = d.timeSeries(lo, hi, st.amount, st.unit);
    const keys = st.keys.map(q);
    const fillOf = new Map(st.fills.map((f) => [f.id, f.value]));
    const cols = [
      `bins.__b AS ${b}`,
      ...keys.map((k) => `k.${k} AS ${k}`),
      ...st.items.map((id) => {
        const v = fillOf.get(id);
        return v ? `coalesce(a.${q(id)}, ${this.value(v)}) AS ${q(id)}` : `a.${q(id)} AS ${q(id)}`;
      }),
    ];
    if (r.matched) cols.push(`max(a.${q(r.matched)}) OVER () AS ${q(r.matched)}`);
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

  /** The first row (current order) per key tuple; rows with a missing key are all kept. */
  private dedup(rel: RelState, st: StageOf<'dedup'>): RelState {
    const r = this.settled(rel);
    const keys = st.keys.map((k) => this.value(k));
    const ds = keys.map((k, j) => `${k} AS __d${j}`);
    const inner = this.selectSql(
      r,
      `*, ${ds.join(', ')}, row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY ${r.order.join(', ')}) AS __rn`,
    );
    const keep = ['__rn = 1', ...keys.map((_, j) => `__d${j} IS NULL`)].join(' OR ');
    const a = this.alias('t');
    const helpers = ['__rn', ...keys.map((_, j) => `__d${j}`)];
    const out: RelState = {
      from: `(SELECT ${this.dialect.starExcept(helpers)} FROM (${inner}) WHERE ${keep}) AS ${a}`,
      where: [],
      raw: r.raw,
      order: r.order,
    };
    if (r.matched) out.matched = r.matched;
    return out;
  }

  /** One row per regex match; the captures become columns (missing on the row of a text without a match). */
  private parseMulti(rel: RelState, st: StageOf<'parseMulti'>): RelState {
    const d = this.dialect;
    const src = this.str(st.source);
    const re = d.regex(st.regex);
    const m = d.ident(st.matchId);
    const r1 = this.unnest(rel, d.regexMatches(src, re), st.matchId);
    const caps = st.captures.map(
      (c) => `CASE WHEN ${m} IS NOT NULL THEN ${d.regexExtract(m, re, String(c.group))} END AS ${d.ident(c.id)}`,
    );
    return this.wrap(r1, caps.join(', '));
  }

  /**
   * pattern (sql/patterns.ts): the events' templates, counted per template and window (the
   * current and, for diff, the previous period), then one row per template with its label,
   * ratio, severity and window counts; anomaly keeps the anomalous ones. Standard SQL around the
   * dialect's token masking and numbering.
   */
  private pattern(rel: RelState, st: StageOf<'pattern'>): RelState {
    const d = this.dialect;
    const q = (id: string) => d.ident(id);
    const r = this.settled(rel);
    const text = this.str(st.source);
    const ts = d.column('timestamp');
    const within = (p: { startTime: number; endTime: number }) => `${ts} BETWEEN ${p.startTime} AND ${p.endTime}`;
    const cur = st.diff ? within(st.diff.current) : 'TRUE';
    const prev = st.diff ? within(st.diff.previous) : 'FALSE';
    // 1. Each event: its template, window and period.
    const rows = this.selectSql(
      { ...r, where: [...r.where, `${text} IS NOT NULL`] },
      `${d.patternTemplate(this, text)} AS __t, ${d.floorTime(this, ts, st.window.amount, st.window.unit)} AS __w, ${ts} AS __ts, (${cur}) AS __c, (${prev}) AS __p`,
    );
    // 2. Per template and window; __rk = 1 on the window with the most events of the template.
    const perWindow = `SELECT __t, __w, count(*) FILTER (WHERE __c) AS __n, count(*) FILTER (WHERE __p) AS __np, min(__ts) FILTER (WHERE __c) AS __first, max(__ts) FILTER (WHERE __c) AS __last, row_number() OVER (PARTITION BY __t ORDER BY count(*) FILTER (WHERE __c) DESC, __w ASC) AS __rk FROM (${rows}) AS ${this.alias('p')} GROUP BY __t, __w`;
    // 3. Per template.
    const perTemplate = `SELECT __t, sum(__n) AS __cnt, sum(__np) AS __pcnt, sum(__n * __n) AS __sq, max(__n) AS __max, min(CASE WHEN __rk = 1 THEN __w END) AS __maxw, min(__first) AS __first, max(__last) AS __last, ${d.countsJson('__w', '__n', '__n > 0')} AS __viz FROM (${perWindow}) AS ${this.alias('p')} GROUP BY __t HAVING sum(__n) > 0 OR sum(__np) > 0`;
    // 4. The output fields.
    const ratio = (n: string) => `(CAST(${n} AS DOUBLE) / NULLIF(sum(${n}) OVER (), 0))`;
    const ids = st.ids;
    const severity = `(CASE ${PATTERN_SEVERITIES.map((v) => `WHEN ${d.regexFullMatch('__label', d.regex(v.re))} THEN ${d.string(v.label)}`).join(' ')} ELSE ${d.string(PATTERN_DEFAULT_SEVERITY)} END)`;
    const cols = [
      `__label AS ${q(ids.pattern)}`,
      `${ratio('__cnt')} AS ${q(ids.ratio)}`,
      `__cnt AS ${q(ids.sampleCount)}`,
      `${severity} AS ${q(ids.severity)}`,
      `('{"timeWindowCountMapping":' || __viz || '}') AS ${q(ids.visualization)}`,
    ];
    const order = [`${q(ids.sampleCount)} DESC`, `${q(ids.pattern)} ASC`];
    if (st.diff) {
      const di = st.diff.ids;
      cols.push(
        `__pcnt AS ${q(di.previousSampleCount)}`,
        `${ratio('__pcnt')} AS ${q(di.previousRatio)}`,
        `(__cnt - __pcnt) AS ${q(di.change)}`,
        `(CASE WHEN __pcnt = 0 THEN 'New' WHEN __cnt = 0 THEN 'Gone' WHEN __cnt > __pcnt THEN 'Increased' WHEN __cnt < __pcnt THEN 'Decreased' ELSE 'Unchanged' END) AS ${q(di.changeType)}`,
      );
      order.unshift(`abs(${q(di.change)}) DESC`);
    }
    if (st.anomaly) cols.push(...this.anomalyColumns(st.anomaly, st.window.ms));
    if (r.raw && !r.matched) cols.push(`sum(__cnt) OVER () AS __matched`);
    const labelled = `SELECT ${d.patternLabel(this, '__t')} AS __label, * FROM (${perTemplate}) AS ${this.alias('p')}`;
    let from = `(SELECT ${cols.join(', ')} FROM (${labelled}) AS ${this.alias('p')}) AS ${this.alias('p')}`;
    if (st.anomaly) {
      from = `(SELECT * FROM ${from} WHERE ${q(st.anomaly.ids.type)} IS NOT NULL) AS ${this.alias('p')}`;
      order.unshift(`${q(st.anomaly.ids.score)} DESC NULLS LAST`);
    }
    const out: RelState = { from, where: [], raw: false, order };
    if (r.matched) out.matched = r.matched;
    else if (r.raw) out.matched = '__matched';
    return out;
  }

  /**
   * anomaly (sql/patterns.ts ANOMALY): the score is how many standard deviations the busiest
   * window of a pattern lies above its mean count per window, every window of the range counted.
   */
  private anomalyColumns(a: NonNullable<StageOf<'pattern'>['anomaly']>, windowMs: number): string[] {
    const q = (id: string) => this.dialect.ident(id);
    const window = (t: string) => `floor(${this.dialect.cast(t, 'DOUBLE')} / ${windowMs})`;
    const k =
      a.windows !== undefined
        ? String(a.windows)
        : `(${window('max(__last) OVER ()')} - ${window('min(__first) OVER ()')} + 1)`;
    const lo = a.range ? String(a.range.startTime) : 'min(__first) OVER ()';
    const hi = a.range ? String(a.range.endTime) : 'max(__last) OVER ()';
    const mean = `(CAST(__cnt AS DOUBLE) / ${k})`;
    const sd = `sqrt(greatest(CAST(__sq AS DOUBLE) / ${k} - ${mean} * ${mean}, 0))`;
    const z = `((__max - ${mean}) / NULLIF(${sd}, 0))`;
    const isNew = `(__first >= ${lo} + ${ANOMALY.newShare} * (${hi} - ${lo}) AND ${hi} > ${lo})`;
    const burst = `(__max >= ${ANOMALY.minBurst} AND ${z} >= ${ANOMALY.zScore})`;
    return [
      `(CASE WHEN __cnt = 0 THEN NULL WHEN ${isNew} THEN 'New pattern' WHEN ${burst} THEN 'Pattern frequency' END) AS ${q(a.ids.type)}`,
      `${z} AS ${q(a.ids.score)}`,
      `__maxw AS ${q(a.ids.time)}`,
    ];
  }

  /**
   * stats: group and aggregate. The first stats also counts the events that reached it
   * (recordsMatched); when a later step needs the default order, hidden aggregates carry it
   * (the newest event of each group, or the first position after an earlier stats).
   */
  private aggregate(rel: RelState, st: StageOf<'aggregate'>, wantOrder: boolean): RelState {
    const d = this.dialect;
    const q = (id: string) => d.ident(id);
    let r = this.settled(rel);
    if (!r.raw && wantOrder) r = this.wrap(r, `row_number() OVER (ORDER BY ${r.order.join(', ')}) AS __pos`);
    const sel: string[] = [];
    st.keys.forEach((k) => sel.push(`${this.value(k.expr)} AS ${q(k.id)}`));
    st.items.forEach((it) => sel.push(`${this.value(it.expr)} AS ${q(it.id)}`));
    const firstStats = r.raw && !r.matched;
    if (firstStats) sel.push(`count(*) AS ${q(st.countId)}`);
    else if (r.matched) sel.push(`max(${q(r.matched)}) AS ${q(r.matched)}`);
    const order: string[] = [];
    if (st.binKey) order.push(`${q(st.binKey)} DESC NULLS LAST`);
    if (wantOrder) {
      if (r.raw) {
        sel.push(`max(${d.column('timestamp')}) AS __ots`, `max(${d.column('seq')}) AS __oseq`);
        order.push('__ots DESC', '__oseq DESC');
      } else {
        sel.push('min(__pos) AS __opos');
        order.push('__opos ASC');
      }
    }
    // Ties (and no default order needed): group keys, for a deterministic result.
    for (const k of st.keys) if (!order.some((o) => o.startsWith(q(k.id)))) order.push(`${q(k.id)} ASC NULLS LAST`);
    const groupBy = st.keys.length ? ` GROUP BY ${st.keys.map((_, j) => j + 1).join(', ')}` : '';
    // No events, no groups: an aggregate without `by` over zero rows returns no row.
    const having = st.keys.length === 0 && !st.rowWithoutEvents ? ' HAVING count(*) > 0' : '';
    const inner =
      firstStats && this.rollup && r.from === d.table && r.limit === undefined
        ? rollupAggregateSql(this, {
            rewrite: this.rollup,
            rollup: this.opts.rollup!,
            stage: st,
            logGroups: this.plan.source.names,
            scanWhere: this.scanConds,
            logGroupWhere: this.logGroupWhere,
            filters: r.where.slice(this.scanConds.length),
            wantOrder,
            having: having !== '',
          })
        : `${this.selectSql(r, sel.join(', '))}${groupBy}${having}`;
    const a = this.alias('s');
    let from = `(${inner}) AS ${a}`;
    let matched = r.matched;
    if (firstStats) {
      matched = '__matched';
      from = `(SELECT *, sum(${q(st.countId)}) OVER () AS __matched FROM ${from}) AS ${this.alias('s')}`;
    }
    const out: RelState = { from, where: [], raw: false, order };
    if (matched) out.matched = matched;
    return out;
  }

  // ------------------------------------------------------------ ordering

  private sortTerms(t: SortTerm): string[] {
    const d = this.dialect;
    const dir = t.desc ? 'DESC' : 'ASC';
    const v = this.value(t.expr);
    const k = t.expr.kind;
    // A constant sort key orders nothing (and some engines refuse ORDER BY a literal).
    if (k === 'null' || t.expr.k === 'lit') return [];
    if (k === 'number' || k === 'time' || k === 'bool') return [`${v} ${dir} NULLS LAST`];
    // CloudWatch's natural order for text: non-numbers first (digit runs by length, then value,
    // other runs by code point), then all-digit values by numeric value; missing last.
    const digits = d.regexFullMatch(v, d.string('[0-9]+'));
    return [
      `(CASE WHEN ${v} IS NULL THEN NULL WHEN ${digits} THEN 1 ELSE 0 END) ${dir} NULLS LAST`,
      `${d.tryCast(`(CASE WHEN ${digits} THEN ${v} END)`, 'DOUBLE')} ${dir} NULLS LAST`,
      `${d.naturalKey(v)} ${dir} NULLS LAST`,
    ];
  }

  // ------------------------------------------------------------ expressions

  share(sql: string, f: (x: string) => string): string {
    if (sql.length <= SHARE_ABOVE) return f(sql);
    const name = `__b${++this.bound}`;
    return this.dialect.bindOnce(sql, name, f(name));
  }

  shareE(e: PExpr, f: (e: PExpr) => string): string {
    const sql = this.value(e);
    return this.share(sql, (x) => f(x === sql ? e : { k: 'ref', id: x, kind: e.kind }));
  }

  /**
   * The expression as a condition. NULL and false are the same in WHERE, and AND/OR of
   * conditions keep that (a condition with unknowns is true exactly when it is true with every
   * unknown false), so comparisons here stay in their plain SQL form.
   */
  cond(e: PExpr): string {
    if (e.k === 'call' && (e.fn === 'and' || e.fn === 'or')) {
      return `(${this.cond(e.args[0])} ${e.fn.toUpperCase()} ${this.cond(e.args[1])})`;
    }
    if (e.k === 'call' && PREDICATES.has(e.fn)) return this.call(e);
    return this.bool(e);
  }

  bool(e: PExpr): string {
    if (e.kind === 'bool') return this.value(e);
    if (e.kind === 'null') return 'NULL';
    if (e.kind === 'number' || e.kind === 'time') return `(${this.value(e)} <> 0)`;
    return `(${this.dialect.tryCast(this.value(e), 'DOUBLE')} <> 0)`;
  }

  definite(e: PExpr): string {
    // A comparison's value is already never missing (see value()).
    return e.k === 'call' && PREDICATES.has(e.fn) ? this.value(e) : `coalesce(${this.bool(e)}, FALSE)`;
  }

  num(e: PExpr): string {
    const d = this.dialect;
    switch (e.kind) {
      case 'number':
      case 'time':
        return this.value(e);
      case 'bool':
        return d.cast(this.value(e), 'INTEGER');
      case 'null':
        return 'NULL';
      default:
        if (e.k === 'lit' && typeof e.value === 'string') {
          const n = Number(e.value);
          return e.value.trim() !== '' && Number.isFinite(n) ? d.number(n) : 'NULL';
        }
        return d.tryCast(this.value(e), 'DOUBLE');
    }
  }

  str(e: PExpr): string {
    const d = this.dialect;
    switch (e.kind) {
      case 'string':
      case 'json':
        return this.value(e);
      case 'number':
        if (e.k === 'lit' && typeof e.value === 'number') return d.string(numberLiteralText(e.value));
        return d.numberText(this, this.value(e));
      case 'time':
        return d.timeText(this.value(e));
      case 'bool':
        return d.cast(d.cast(this.value(e), 'INTEGER'), 'VARCHAR');
      case 'null':
        return d.cast('NULL', 'VARCHAR');
      default:
        return this.value(e);
    }
  }

  unify(es: PExpr[]): { sql: string[]; kind: ValueKind } {
    const kind = unifyKinds(es.map((e) => e.kind));
    const sql = es.map((e) => {
      if (e.kind === 'null') return this.nullOf(kind);
      if (e.kind === kind) return this.value(e);
      return kind === 'number' ? this.num(e) : this.str(e);
    });
    return { sql, kind };
  }

  private nullOf(kind: ValueKind): string {
    const type = kind === 'number' ? 'DOUBLE' : kind === 'time' ? 'BIGINT' : kind === 'bool' ? 'BOOLEAN' : 'VARCHAR';
    return this.dialect.cast('NULL', type);
  }

  compare(op: '=' | '!=' | '<' | '<=' | '>' | '>=', a: PExpr, b: PExpr): string {
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

  value(e: PExpr): string {
    const d = this.dialect;
    switch (e.k) {
      case 'lit':
        if (e.value === null) return 'NULL';
        if (typeof e.value === 'number') return d.number(e.value);
        if (typeof e.value === 'boolean') return e.value ? 'TRUE' : 'FALSE';
        return d.string(e.value);
      case 'base':
        if (e.field === 'message') this.readsMessage = true;
        return d.column(e.field);
      case 'hot':
        if (!e.mixed) return d.hotColumn(e);
        this.readsMessage = true;
        return `(CASE WHEN ${d.column('kind')} = ${d.string('bedrock')} THEN ${d.cast(d.hotColumn(e), 'VARCHAR')} ELSE ${d.messageField(this, e.jsonPath, true)} END)`;
      case 'meta': {
        const v = d.metadata(e.key, e.column);
        if (!e.mixed) return v;
        this.readsMessage = true;
        return `(CASE WHEN ${d.column('kind')} = ${d.string('bedrock')} THEN ${v} ELSE ${d.messageField(this, ['requestMetadata', e.key], true)} END)`;
      }
      case 'json':
        if (e.source !== null) return d.jsonField(this, this.value(e.source), e.path);
        this.readsMessage = true;
        return d.messageField(this, e.path, e.guard);
      case 'lambda':
        this.readsMessage = true;
        return this.lambda(e.field);
      case 'ref':
        return d.ident(e.id);
      case 'regex':
        return d.regex(e.pattern);
      case 'period':
        return String(periodMs(e.amount, e.unit) ?? 0);
      case 'agg':
        return d.aggregates[e.fn](this.callOf(e));
      case 'call':
        // A comparison with a missing operand is false (0) as a value too, as it is in filter
        // (docs/semantics.md #1): `sum(errorCode = "X")` counts 0 for a group without errors.
        return PREDICATES.has(e.fn) ? `coalesce(${this.call(e)}, FALSE)` : this.call(e);
      default: {
        const never: never = e;
        void never;
        return 'NULL';
      }
    }
  }

  call(e: CallExpr): string {
    return this.dialect.functions[e.fn](this.callOf(e));
  }

  private callOf<E extends CallExpr | AggExpr>(e: E): Call<E> {
    return {
      e,
      args: e.args,
      x: this,
      n: (i) => this.num(e.args[i]),
      s: (i) => this.str(e.args[i]),
      v: (i) => this.value(e.args[i]),
    };
  }

  /** A Lambda platform field of a generic event's text line (missing for Bedrock events). */
  private lambda(field: string): string {
    const d = this.dialect;
    const spec = LAMBDA_PATTERNS[field];
    if (!spec) return 'NULL';
    const read = (p: string) => {
      const text = `nullif(${d.regexExtract(d.column('message'), d.string(p), '1')}, '')`;
      if (!spec.numeric) return text;
      const scale = spec.numeric.scale;
      return `(${d.tryCast(text, 'DOUBLE')}${scale !== 1 ? ` * ${scale}` : ''})`;
    };
    const reads = spec.patterns.map(read);
    const v = reads.length === 1 ? reads[0] : `coalesce(${reads.join(', ')})`;
    return `(CASE WHEN ${d.column('kind')} <> ${d.string('bedrock')} THEN ${v} END)`;
  }
}

/** A numeric literal as text: integral values without a fraction. */
function numberLiteralText(n: number): string {
  return Number.isInteger(n) ? n.toFixed(0) : String(n);
}

/** Lower a plan to one SQL statement of `dialect`. */
export function lowerPlan(plan: Plan, dialect: Dialect, opts: CompileOptions): CompiledQuery {
  return new Lowering(plan, dialect, opts).compile();
}
