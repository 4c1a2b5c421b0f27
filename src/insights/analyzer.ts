/**
 * The analyzer: AST -> logical plan (src/insights/plan.ts) + diagnostics.
 *
 * It resolves every field reference the way CloudWatch discovers fields (system fields, hot
 * Bedrock fields in typed columns, request metadata, JSON paths of the message, aliases and
 * parse captures visible to later commands only), checks function names and arities against the
 * catalog (src/insights/functions.ts), tracks output columns (fields union, display last wins,
 * stats keys then aggregates), and warns about fields that never occur in the selected log groups.
 * Pure and synchronous: the catalog facts it needs are passed in.
 */
import type {
  AnomalyCmd,
  Command,
  DedupCmd,
  DiffCmd,
  PatternCmd,
  DisplayCmd,
  DurationLit,
  ExpandCmd,
  FieldsCmd,
  FillMissingCmd,
  LimitCmd,
  SortCmd,
  UnnestCmd,
  Expr,
  Name,
  ParseCmd,
  Projection,
  Query,
  SourceClause,
  Span,
  StatsCmd,
} from './ast.js';
import { diagnostic, type Diagnostic } from './diagnostics.js';
import {
  closest,
  functionName,
  lookupFunction,
  allFunctionNames,
  unifyKinds,
  type FunctionSpec,
  type ValueKind,
} from './functions.js';
import type { AggFn, NamedExpr, OutputColumn, PExpr, Plan, SortTerm, Stage } from './plan.js';
import { globToRegex, re2Problem, translateRegex, type TranslatedRegex } from './regex.js';
import { patternWindow } from './sql/patterns.js';
import { periodMs } from './sql/periods.js';
import { COST_FIELDS, HOT_FIELDS, REQUEST_METADATA_PREFIX } from '../logs/hot-fields.js';
import { keptByDefault } from '../logs/bodies.js';
import { UNCONFIRMED_DEFAULTS, type UnconfirmedDefaults } from './decisions.js';

type PatternStage = Extract<Stage, { op: 'pattern' }>;

/** Catalog facts the analyzer needs (read from the store by the engine). */
export interface CatalogInfo {
  /** Every known log group with its count of generic (non-Bedrock) events. */
  logGroups: { name: string; genericEvents: number }[];
  /** Discovered field names per log group (the `fields` catalog table). */
  fieldsByGroup: Map<string, Set<string>>;
  /**
   * False when the log groups are unknown rather than absent (`check` without a store): a log
   * group the catalog does not list then draws a LOG_GROUP_UNSEEN warning instead of the
   * LOG_GROUP_NOT_FOUND error. Default true.
   */
  logGroupsKnown?: boolean;
  /**
   * Fields with a column of their own in the store (promoted `requestMetadata.*` keys) → that
   * column; the others are read from the request-metadata map. Absent: every key from the map.
   */
  columns?: ReadonlyMap<string, string>;
  /**
   * Log groups whose Bedrock records are read with their bodies reduced to what a default store
   * keeps although no field index says so (a table read in place: src/engines/trino), and how to
   * read the whole bodies there. A store says it through its discovered fields instead.
   */
  withoutBodies?: { logGroups: readonly string[]; remedy: string };
}

export interface AnalyzeOptions {
  /** The query text the AST spans refer to. */
  text: string;
  catalog: CatalogInfo;
  /** Requested log groups (StartQuery's logGroupNames); empty/absent = all (unless SOURCE). */
  logGroups?: string[];
  startTime?: number;
  endTime?: number;
  /** StartQuery's limit: a trailing `| limit N`. */
  limit?: number;
  noRowCap?: boolean;
  /** Maximum number of stats commands (CloudWatch documents 2). */
  maxStats?: number;
  /** Query start (epoch ms) for SOURCE start=-1d / end=now; default Date.now(). */
  now?: number;
  /** The unconfirmed defaults (decisions.ts); tests flip them, the product uses UNCONFIRMED_DEFAULTS. */
  defaults?: UnconfirmedDefaults;
  /**
   * True when the query is only checked and its range comes with each run (`check`, the editor):
   * a command that needs a bounded range (diff) is then not refused for lacking one, and the plan
   * (never run) uses the hour before `now` as a stand-in.
   */
  rangeAtRunTime?: boolean;
}

export interface Analysis {
  plan?: Plan;
  diagnostics: Diagnostic[];
}

export const DEFAULT_ROW_CAP = 10_000;
export const MAX_LIMIT = 100_000;

export const SYSTEM_FIELDS = ['@timestamp', '@ingestionTime', '@logStream', '@log', '@message', '@ptr'] as const;

/** Unit caps of datetime periods: a larger amount is capped, not converted (`bin(300s)` = 60 s). */
export const PERIOD_CAPS: Partial<Record<DurationLit['unit'], number>> = { ms: 1000, s: 60, m: 60, h: 24 };

/** Lambda platform fields discovered from START/END/REPORT lines (spec §2.1). */
export const LAMBDA_FIELDS: Readonly<Record<string, ValueKind>> = {
  '@type': 'string',
  '@requestId': 'string',
  '@duration': 'number',
  '@billedDuration': 'number',
  '@memorySize': 'number',
  '@maxMemoryUsed': 'number',
  '@initDuration': 'number',
  '@xrayTraceId': 'string',
  '@xraySegmentId': 'string',
};

interface Binding {
  expr: PExpr;
}

const AGG_FNS: Record<string, AggFn> = {
  count: 'count',
  count_distinct: 'count_distinct',
  sum: 'sum',
  avg: 'avg',
  min: 'min',
  max: 'max',
  pct: 'pct',
  stddev: 'stddev',
  earliest: 'earliest',
  latest: 'latest',
  sortsfirst: 'sortsFirst',
  sortslast: 'sortsLast',
  values: 'values',
  countovertime: 'count',
  sumovertime: 'sum',
  rate: 'rate',
};

class Analyzer {
  readonly diags: Diagnostic[] = [];
  private env = new Map<string, Binding>();
  private aggregated = false;
  private visible: string[] = [];
  private displayed: OutputColumn[] | undefined;
  private readonly stages: Stage[] = [];
  private nextId = 1;
  private statsSeen = 0;
  /** The last pattern stage, for a diff or anomaly after it; rowWise: only event-by-event stages before it. */
  private patternStage: { stage: PatternStage; rowWise: boolean } | undefined;
  /** Inside a stats command (its keys and aggregates), where only the previous relation's fields exist. */
  private inStats = false;
  private mixed = false;
  private known: Set<string> | undefined;
  private readonly warnedFields = new Set<string>();
  /** The selected log groups whose Bedrock records were stored without bodies (when none has bodies). */
  private withoutBodies: string[] = [];
  /** How the bodies were left out and how to keep them, in BODIES_NOT_KEPT's message. */
  private bodies = { how: 'were stored', remedy: 'ingest with --keep-bodies (bedrock-insights ingest or sync).' };
  private warnedBodies = false;
  private selection: string[] | 'all' = 'all';
  private startTime: number | undefined;
  private endTime: number | undefined;
  /** The events read, when a command moves them off the query range (stats … offset, diff). */
  private scan: { startTime?: number; endTime?: number } | undefined;
  /** Columns holding maps/lists (jsonParse, split, logfmt results) and those from split(). */
  private readonly containers = new Set<string>();
  private readonly splits = new Set<string>();

  private readonly defaults: UnconfirmedDefaults;

  constructor(private readonly opts: AnalyzeOptions) {
    this.startTime = opts.startTime;
    this.endTime = opts.endTime;
    this.defaults = opts.defaults ?? UNCONFIRMED_DEFAULTS;
  }

  private err(code: string, message: string, span: Span, suggestion?: string): void {
    this.diags.push(diagnostic(this.opts.text, code, 'error', message, span, suggestion));
  }
  private warn(code: string, message: string, span: Span, suggestion?: string): void {
    this.diags.push(diagnostic(this.opts.text, code, 'warning', message, span, suggestion));
  }
  private id(hint: string): string {
    const clean = hint.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 24);
    return `c${this.nextId++}_${clean}`;
  }

  run(q: Query): Plan | undefined {
    this.resolveSource(q.source, q.span);
    for (const cmd of q.commands) this.command(cmd);
    const columns = this.outputColumns(q.span);
    if (this.diags.some((d) => d.severity === 'error')) return undefined;
    const plan: Plan = {
      source: {
        names: this.selection,
        mixed: this.mixed,
        candidates: this.selection === 'all' ? this.opts.catalog.logGroups.length : this.selection.length,
      },
      stages: this.stages,
      columns,
      aggregated: this.aggregated,
    };
    if (this.startTime !== undefined) plan.startTime = this.startTime;
    if (this.endTime !== undefined) plan.endTime = this.endTime;
    if (this.scan) plan.scan = this.scan;
    if (!this.opts.noRowCap) plan.rowCap = DEFAULT_ROW_CAP;
    if (this.opts.limit !== undefined) plan.trailingLimit = this.opts.limit;
    return plan;
  }

  // ------------------------------------------------------------ log groups and catalog

  private resolveSource(src: SourceClause | undefined, span: Span): void {
    const groups = this.opts.catalog.logGroups;
    const all = groups.map((g) => g.name);
    let chosen: string[] | 'all' = 'all';
    if (src) {
      if (this.opts.logGroups && this.opts.logGroups.length > 0) {
        this.warn(
          'SOURCE_OVERRIDES_LOG_GROUPS',
          'The query has SOURCE; the log groups given with the request are ignored.',
          src.span,
        );
      }
      for (const [which, text] of [
        ['start', src.start],
        ['end', src.end],
      ] as const) {
        if (text === undefined) continue;
        const ms = sourceTime(text, this.opts.now ?? Date.now());
        if (ms === undefined) {
          this.err(
            'SOURCE_TIME_INVALID',
            `${which}=${text} is not a time: write now, a relative time like -1d or -30m, an ISO time in quotes, or epoch ms.`,
            src.span,
          );
        } else if (which === 'start') {
          // Both the request and SOURCE bound the range: the narrower wins.
          this.startTime = this.startTime === undefined ? ms : Math.max(this.startTime, ms);
        } else {
          this.endTime = this.endTime === undefined ? ms : Math.min(this.endTime, ms);
        }
      }
      if (src.accountIdentifiers.length > 0 || src.classes.length > 0) {
        this.warn(
          'SOURCE_FILTER_IGNORED',
          'SOURCE accountIdentifiers/class are ignored: the store holds one account and one log class.',
          src.span,
        );
      }
      if (!src.allLogGroups || src.logGroupNames.length > 0 || src.namePrefixes.length > 0) {
        const picked = new Set<string>();
        for (const n of src.logGroupNames) if (this.logGroupExists(n, all, src.span)) picked.add(n);
        for (const p of src.namePrefixes) for (const n of all) if (n.startsWith(p)) picked.add(n);
        chosen = [...picked];
        if (!this.logGroupsKnown) {
          if (src.namePrefixes.length > 0)
            this.unseenLogGroups(
              src.namePrefixes.map((p) => `${p}*`),
              src.span,
            );
        } else if (src.namePrefixes.length > 0 && src.logGroupNames.length === 0 && chosen.length === 0) {
          this.warn(
            'NO_LOG_GROUPS',
            `No log group starts with ${src.namePrefixes.map((p) => `'${p}'`).join(' or ')}.`,
            src.span,
          );
        }
      }
    } else if (this.opts.logGroups && this.opts.logGroups.length > 0) {
      const picked: string[] = [];
      for (const n of this.opts.logGroups) if (this.logGroupExists(n, all, span)) picked.push(n);
      chosen = picked;
    }
    this.selection = chosen;
    const selected = chosen === 'all' ? groups : groups.filter((g) => chosen.includes(g.name));
    this.mixed = selected.some((g) => g.genericEvents > 0);
    const known = new Set<string>();
    for (const g of selected) for (const fld of this.opts.catalog.fieldsByGroup.get(g.name) ?? []) known.add(fld);
    // Bedrock records were stored without their bodies (the default) in every selected group that holds them.
    const bedrockGroups = selected.filter((g) => isBedrockGroup(this.opts.catalog.fieldsByGroup.get(g.name)));
    if (
      bedrockGroups.length > 0 &&
      !bedrockGroups.some((g) => hasBodies(this.opts.catalog.fieldsByGroup.get(g.name)))
    ) {
      this.withoutBodies = bedrockGroups.map((g) => g.name);
    }
    const cut = this.opts.catalog.withoutBodies;
    const cutGroups = cut ? selected.filter((g) => cut.logGroups.includes(g.name)).map((g) => g.name) : [];
    if (cut && cutGroups.length > 0) {
      this.withoutBodies = cutGroups;
      this.bodies = { how: 'are read', remedy: cut.remedy };
    }
    if (known.size > 0) {
      for (const k of Object.keys(HOT_FIELDS)) known.add(k);
      for (const k of Object.keys(COST_FIELDS)) known.add(k);
      this.known = known;
    }
  }

  private get logGroupsKnown(): boolean {
    return this.opts.catalog.logGroupsKnown !== false;
  }

  /**
   * A named log group the catalog lists. One it does not list is an error when the catalog is the
   * store's (StartQuery's ResourceNotFound); when the log groups are unknown (check without a
   * store) it is only a warning, and the group stays selected.
   */
  private logGroupExists(name: string, all: string[], span: Span): boolean {
    if (all.includes(name)) return true;
    if (!this.logGroupsKnown) {
      this.unseenLogGroups([name], span);
      return true;
    }
    this.err('LOG_GROUP_NOT_FOUND', `The log group ${name} does not exist in the store.`, span, closest(name, all));
    return false;
  }

  private unseenLogGroups(names: string[], span: Span): void {
    this.warn(
      'LOG_GROUP_UNSEEN',
      `Log group ${names.join(', ')} cannot be checked without a store: pass --db to check log groups and fields against one.`,
      span,
    );
  }

  // ------------------------------------------------------------ commands

  private command(cmd: Command): void {
    switch (cmd.kind) {
      case 'fields':
        return this.fields(cmd);
      case 'display':
        return this.display(cmd);
      case 'filter':
      case 'filterIndex':
        this.stages.push({ op: 'filter', cond: this.expr(cmd.condition) });
        return;
      case 'stats':
        return this.stats(cmd);
      case 'sort':
        return this.sort(cmd);
      case 'limit':
        return this.limit(cmd);
      case 'parse':
        return this.parse(cmd);
      case 'dedup':
        return this.dedup(cmd);
      case 'unnest':
        return this.unnest(cmd);
      case 'expand':
        return this.expand(cmd);
      case 'fillmissing':
        return this.fillmissing(cmd);
      case 'pattern':
        return this.pattern(cmd);
      case 'diff':
        return this.diff(cmd);
      case 'anomaly':
        return this.anomaly(cmd);
      case 'unsupported':
        this.err('UNSUPPORTED_COMMAND', `\`${cmd.name}\` is not supported yet.`, cmd.span);
        return;
      default: {
        const never: never = cmd;
        void never;
      }
    }
  }

  /** fields: bind each item; heavy values (JSON, regex) are computed once into a column. */
  private fields(cmd: FieldsCmd): void {
    const bound: [string, PExpr][] = [];
    for (const p of cmd.items) {
      const name = projectionName(p);
      if (name === '@ptr') continue;
      bound.push([name, this.expr(p.expr)]);
    }
    const project: { id: string; expr: PExpr }[] = [];
    for (const [name, e] of bound) {
      let ex = e;
      if (heavy(e)) {
        // Computed once into a column: later references (e.g. j.a.b) read the column.
        const id = this.id(name);
        project.push({ id, expr: e });
        if (this.isContainer(e)) this.containers.add(id);
        if (this.isSplit(e)) this.splits.add(id);
        ex = { k: 'ref', id, kind: e.kind };
      }
      this.env.set(name, { expr: ex });
      if (!this.visible.includes(name)) this.visible.push(name);
    }
    if (project.length) this.stages.push({ op: 'project', cols: project });
  }

  /** display: the output columns (the last display wins). */
  private display(cmd: DisplayCmd): void {
    const cols: OutputColumn[] = [];
    for (const p of cmd.items) {
      const name = projectionName(p);
      if (name === '@ptr') continue;
      const e = this.expr(p.expr);
      cols.push({ name, expr: e });
    }
    for (const c of cols) if (!this.env.has(c.name)) this.env.set(c.name, { expr: c.expr });
    this.displayed = cols;
  }

  /** sort: stable, by the given keys. */
  private sort(cmd: SortCmd): void {
    const terms: SortTerm[] = cmd.keys.map((k) => {
      const expr = this.field(k.field.name, k.field.span);
      this.noContainer(expr, 'sorted', k.field.span);
      const desc = k.direction ? k.direction === 'desc' : this.defaults.sortDescendingByDefault;
      return { expr, desc };
    });
    this.stages.push({ op: 'sort', terms });
  }

  /** limit (head): 1 to MAX_LIMIT rows. */
  private limit(cmd: LimitCmd): void {
    if (cmd.count > MAX_LIMIT) {
      this.err(
        'LIMIT_TOO_LARGE',
        `limit ${cmd.count} is over the maximum of ${MAX_LIMIT}; use a smaller limit.`,
        cmd.span,
      );
      return;
    }
    if (cmd.count < 1) {
      this.err('LIMIT_TOO_SMALL', 'limit must be at least 1.', cmd.span);
      return;
    }
    this.stages.push({ op: 'limit', count: cmd.count });
  }

  /** dedup: the first row per key tuple. */
  private dedup(cmd: DedupCmd): void {
    this.stages.push({
      op: 'dedup',
      keys: cmd.fields.map((f) => {
        const e = this.field(f.name, f.span);
        this.noContainer(e, 'deduplicated', f.span);
        return e;
      }),
    });
  }

  /** unnest … into: one row per element of a jsonParse list. */
  private unnest(cmd: UnnestCmd): void {
    const src = this.expr(cmd.source);
    if (this.isSplit(src)) {
      this.err(
        'UNNEST_SPLIT',
        'unnest needs a list from jsonParse; a split() result cannot be unnested (CloudWatch rejects it).',
        cmd.source.span,
      );
    }
    const id = this.id(cmd.into.name);
    this.stages.push({ op: 'unnest', source: src, id, kind: 'json' });
    this.bind(cmd.into.name, { k: 'ref', id, kind: 'json' });
  }

  /** expand: unnest a list field in place. */
  private expand(cmd: ExpandCmd): void {
    const src = this.field(cmd.field.name, cmd.field.span);
    const id = this.id(cmd.field.name);
    this.stages.push({ op: 'unnest', source: src, id, kind: 'json' });
    this.bind(cmd.field.name, { k: 'ref', id, kind: 'json' });
  }

  /** fillmissing: empty bins of the stats just before, with constants for its aggregates. */
  private fillmissing(cmd: FillMissingCmd): void {
    const agg = this.stages[this.stages.length - 1];
    const binKey = agg?.op === 'aggregate' ? agg.keys.find((k) => k.id === agg.binKey) : undefined;
    if (!agg || agg.op !== 'aggregate' || !binKey || binKey.expr.k !== 'call') {
      this.err('FILLMISSING_NEEDS_BIN', 'fillmissing must directly follow stats … by bin(period).', cmd.span);
      return;
    }
    const period = binKey.expr.args[1];
    if (period.k !== 'period') return;
    const fills: { id: string; value: PExpr }[] = [];
    for (const f of cmd.fills) {
      const target = this.env.get(f.field.name)?.expr;
      if (!target || target.k !== 'ref' || !agg.items.some((it) => it.id === target.id)) {
        this.err(
          'FILLMISSING_FIELD',
          `${f.field.name} is not an aggregate of the stats before fillmissing.`,
          f.field.span,
        );
        continue;
      }
      fills.push({ id: target.id, value: this.expr(f.value) });
    }
    this.stages.push({
      op: 'fillmissing',
      binKey: binKey.id,
      amount: period.amount,
      unit: period.unit,
      keys: agg.keys.filter((k) => k.id !== binKey.id).map((k) => k.id),
      items: agg.items.map((it) => it.id),
      fills,
    });
  }

  /**
   * pattern: one row per pattern of the source's text (sql/patterns.ts). Like stats it replaces
   * the relation: only its output fields exist after it.
   */
  private pattern(cmd: PatternCmd): void {
    if (this.aggregated) {
      this.err(
        'PATTERN_AFTER_STATS',
        'pattern clusters events: put it before stats (the rows after stats are no longer events).',
        cmd.span,
      );
      return;
    }
    const source = this.expr(cmd.source);
    this.noContainer(source, 'clustered into patterns', cmd.source.span);
    const rowWise = this.stages.every((st) => ['filter', 'project', 'parseMulti', 'unnest'].includes(st.op));
    const ids = {
      pattern: this.id('pattern'),
      ratio: this.id('ratio'),
      sampleCount: this.id('sampleCount'),
      severity: this.id('severityLabel'),
      visualization: this.id('visualization'),
    };
    const stage: PatternStage = {
      op: 'pattern',
      source,
      window: patternWindow(this.startTime, this.endTime),
      ids,
    };
    this.stages.push(stage);
    this.patternStage = { stage, rowWise };
    this.newRelation([
      ['@pattern', ids.pattern, 'string'],
      ['@ratio', ids.ratio, 'number'],
      ['@sampleCount', ids.sampleCount, 'number'],
      ['@severityLabel', ids.severity, 'string'],
      ['@visualization', ids.visualization, 'string'],
    ]);
  }

  /**
   * diff [previousDay|previousWeek|previousMonth], right after pattern: the patterns of the query
   * range against those of an earlier period of the same length (the scan reads both).
   */
  private diff(cmd: DiffCmd): void {
    const p = this.patternStage;
    if (!p || this.stages[this.stages.length - 1] !== p.stage) return; // the composition rules said why
    const { startTime, endTime } = this;
    const bounded = startTime !== undefined && endTime !== undefined;
    if (!bounded && !this.opts.rangeAtRunTime) {
      this.err(
        'DIFF_NEEDS_RANGE',
        'diff compares the query range with an earlier period: give the query a start and an end (--since, --start/--end, or SOURCE … start= end=).',
        cmd.span,
      );
      return;
    }
    if (!p.rowWise) {
      this.err(
        'DIFF_NEEDS_EVENTS',
        'diff counts the events of two periods: before pattern, use only commands that work event by event (fields, filter, parse).',
        cmd.span,
      );
      return;
    }
    if (this.scan) {
      this.err('RANGE_SHIFT_TWICE', 'Only one command of a query can move its time range (offset, diff).', cmd.span);
      return;
    }
    const current = bounded ? { startTime, endTime } : standInRange(this.opts.now ?? Date.now());
    const previous = previousPeriod(current, cmd.period);
    this.scan = {
      startTime: Math.min(previous.startTime, current.startTime),
      endTime: Math.max(previous.endTime, current.endTime),
    };
    const ids = {
      previousSampleCount: this.id('previousSampleCount'),
      previousRatio: this.id('previousRatio'),
      change: this.id('sampleCountChange'),
      changeType: this.id('changeType'),
    };
    p.stage.diff = { current, previous, ids };
    this.addToRelation([
      ['@previousSampleCount', ids.previousSampleCount, 'number'],
      ['@previousRatio', ids.previousRatio, 'number'],
      ['@sampleCountChange', ids.change, 'number'],
      ['@changeType', ids.changeType, 'string'],
    ]);
  }

  /** anomaly, right after pattern (or pattern | diff): keep the anomalous patterns (sql/patterns.ts ANOMALY). */
  private anomaly(cmd: AnomalyCmd): void {
    const p = this.patternStage;
    if (!p || this.stages[this.stages.length - 1] !== p.stage) return; // the composition rules said why
    if (!p.rowWise) {
      this.err(
        'ANOMALY_NEEDS_EVENTS',
        'anomaly counts events per time window: before pattern, use only commands that work event by event (fields, filter, parse).',
        cmd.span,
      );
      return;
    }
    const ids = { type: this.id('anomalyType'), score: this.id('anomalyScore'), time: this.id('anomalyTime') };
    const w = p.stage.window.ms;
    const bounded =
      this.startTime !== undefined && this.endTime !== undefined
        ? {
            range: { startTime: this.startTime, endTime: this.endTime },
            windows: Math.floor(this.endTime / w) - Math.floor(this.startTime / w) + 1,
          }
        : {};
    p.stage.anomaly = { ...bounded, ids };
    this.addToRelation([
      ['@anomalyType', ids.type, 'string'],
      ['@anomalyScore', ids.score, 'number'],
      ['@anomalyTime', ids.time, 'time'],
    ]);
  }

  /** A command that replaces the relation (stats, pattern): only `cols` exist from here on. */
  private newRelation(cols: [string, string, ValueKind][]): void {
    this.env = new Map();
    this.visible = [];
    this.addToRelation(cols);
    this.aggregated = true;
    this.displayed = undefined;
  }

  private addToRelation(cols: [string, string, ValueKind][]): void {
    for (const [name, id, kind] of cols) {
      this.env.set(name, { expr: { k: 'ref', id, kind } });
      if (!this.visible.includes(name)) this.visible.push(name);
    }
  }

  private isContainer(e: PExpr): boolean {
    if (e.k === 'call') return ['jsonparse', 'split', 'logfmt'].includes(e.fn);
    return e.k === 'ref' && this.containers.has(e.id);
  }

  private isSplit(e: PExpr): boolean {
    return (e.k === 'call' && e.fn === 'split') || (e.k === 'ref' && this.splits.has(e.id));
  }

  private noContainer(e: PExpr, what: string, span: Span): void {
    if (this.isContainer(e))
      this.err(
        'MAP_NOT_ALLOWED',
        `Maps and lists cannot be ${what}: use one of their values (like j.key) instead.`,
        span,
      );
  }

  private bind(name: string, e: PExpr): void {
    this.env.set(name, { expr: e });
    if (!this.visible.includes(name)) this.visible.push(name);
  }

  private parse(cmd: ParseCmd): void {
    const source: PExpr = cmd.source ? this.field(cmd.source.name, cmd.source.span) : this.field('@message', cmd.span);
    if (source.k === 'base' && source.field === 'message') this.bodiesNotKept('@message', cmd.span);
    let pattern: string;
    let groups: { name: string; index: number }[];
    if (cmd.mode === 'glob') {
      const text = cmd.pattern?.kind === 'string' ? cmd.pattern.value : (cmd.pattern?.pattern ?? '');
      const g = globToRegex(text);
      if (g.stars !== cmd.aliases.length) {
        this.err(
          'PARSE_ARITY',
          `The pattern has ${g.stars} * but ${cmd.aliases.length} names follow "as"; give one name per *.`,
          cmd.span,
        );
        return;
      }
      pattern = g.pattern;
      groups = cmd.aliases.map((a, i) => ({ name: a.name, index: i + 1 }));
    } else if (cmd.mode === 'regex') {
      const src = cmd.pattern?.kind === 'regex' ? cmd.pattern.pattern : (cmd.pattern?.value ?? '');
      const t = this.regex(src, cmd.pattern?.span ?? cmd.span);
      if (!t) return;
      pattern = t.pattern;
      groups = t.groups;
      if (groups.length === 0 && cmd.aliases.length > 0) {
        // `parse @message /(\d+)/ as ip multi`: unnamed groups assigned by position.
        groups = cmd.aliases.map((a, i) => ({ name: a.name, index: i + 1 }));
      }
      if (groups.length === 0) {
        this.err(
          'PARSE_NO_GROUPS',
          'A parse regex needs named groups such as (?<name>...) to create fields.',
          cmd.span,
        );
        return;
      }
    } else if (cmd.mode === 'csv') {
      // Positional comma-separated values; a value may be "quoted" with "" for a quote (RFC 4180).
      const n = cmd.aliases.length;
      const cell = '("(?:[^"]|"")*"|[^,]*)';
      pattern = '(?s)^' + Array.from({ length: n }, (_, i) => (i === n - 1 ? `${cell}` : `${cell},`)).join('');
      const re: PExpr = { k: 'regex', pattern, caseInsensitive: false, kind: 'string' };
      const cols = cmd.aliases.map((a, i) => ({
        id: this.id(a.name),
        expr: {
          k: 'call',
          fn: 'csv_unquote',
          args: [
            {
              k: 'call',
              fn: 'regex_extract',
              args: [source, re, { k: 'lit', kind: 'number', value: i + 1 }],
              kind: 'string',
            },
          ],
          kind: 'string',
        } satisfies PExpr,
      }));
      this.stages.push({ op: 'project', cols });
      cmd.aliases.forEach((a, i) => this.bind(a.name, { k: 'ref', id: cols[i].id, kind: 'string' }));
      return;
    } else {
      // logfmt: one map-valued field (`lf.level`, `lf.msg`).
      const name = cmd.aliases[0]?.name;
      if (!name) {
        this.err('PARSE_ARITY', 'parse … logfmt needs one name: parse @message logfmt as lf.', cmd.span);
        return;
      }
      const id = this.id(name);
      this.stages.push({
        op: 'project',
        cols: [{ id, expr: { k: 'call', fn: 'logfmt', args: [source], kind: 'json' } }],
      });
      this.containers.add(id);
      this.bind(name, { k: 'ref', id, kind: 'json' });
      return;
    }
    if (cmd.multi) {
      const captures = groups.map((g) => ({ id: this.id(g.name), group: g.index }));
      this.stages.push({
        op: 'parseMulti',
        source,
        regex: pattern,
        caseInsensitive: false,
        captures,
        matchId: this.id('match'),
      });
      groups.forEach((g, i) => this.bind(g.name, { k: 'ref', id: captures[i].id, kind: 'string' }));
      return;
    }
    const re: PExpr = { k: 'regex', pattern, caseInsensitive: false, kind: 'string' };
    const cols = groups.map((g) => ({
      id: this.id(g.name),
      expr: {
        k: 'call',
        fn: 'regex_extract',
        args: [source, re, { k: 'lit', kind: 'number', value: g.index }],
        kind: 'string',
      } satisfies PExpr,
    }));
    this.stages.push({ op: 'project', cols });
    groups.forEach((g, i) => this.bind(g.name, { k: 'ref', id: cols[i].id, kind: 'string' }));
  }

  private stats(cmd: StatsCmd): void {
    this.statsSeen++;
    const max = this.opts.maxStats ?? 2;
    if (this.statsSeen > max) {
      this.err('TOO_MANY_STATS', `A query may have at most ${max} stats commands.`, cmd.span);
      return;
    }
    this.inStats = true;
    try {
      this.statsBody(cmd);
    } finally {
      this.inStats = false;
    }
  }

  private statsBody(cmd: StatsCmd): void {
    const keys: NamedExpr[] = [];
    const local = new Map<string, PExpr>();
    let binKey: string | undefined;
    for (const p of cmd.groupBy) {
      const name = projectionName(p);
      const e = this.expr(p.expr, { group: true });
      this.noContainer(e, 'grouped', p.span);
      const id = this.id(name);
      keys.push({ id, expr: e });
      if (e.k === 'call' && e.fn === 'bin' && binKey === undefined) binKey = id;
      local.set(name, e);
    }
    if (cmd.offset) this.offsetBins(cmd.offset, keys, binKey);
    const items: NamedExpr[] = [];
    const names: string[] = [];
    for (const p of cmd.aggregates) {
      const name = projectionName(p);
      const before = this.diags.length;
      const e = this.expr(p.expr, { agg: true, local });
      if (!containsAgg(e) && this.diags.length === before) {
        this.err(
          'NOT_AGGREGATED',
          `${p.text} is not an aggregate: in stats, wrap fields in an aggregate function such as sum(), count() or max().`,
          p.span,
        );
      }
      const id = this.id(name);
      items.push({ id, expr: e });
      local.set(name, e);
      names.push(name);
    }
    const countId = this.id('count');
    this.stages.push({
      op: 'aggregate',
      keys,
      items,
      countId,
      ...(binKey ? { binKey } : {}),
      ...(keys.length === 0 && this.defaults.statsRowWithoutEvents ? { rowWithoutEvents: true } : {}),
    });
    // The new relation: only the keys and the aggregates exist from here on.
    this.newRelation([
      ...cmd.groupBy.map((p, i): [string, string, ValueKind] => [projectionName(p), keys[i].id, keys[i].expr.kind]),
      ...items.map((it, i): [string, string, ValueKind] => [names[i], it.id, it.expr.kind]),
    ]);
  }

  /**
   * `stats … by bin(p) offset d` (spec §5.10, "time-shifted comparisons"): each bin labelled T
   * holds the events of [T − d, T − d + p), and the query reads the events of its range moved
   * back by d, so the bins keep the query's own labels (docs/semantics.md, "stats … offset").
   */
  private offsetBins(offset: DurationLit, keys: NamedExpr[], binKey: string | undefined): void {
    const key = keys.find((k) => k.id === binKey);
    if (!key || key.expr.k !== 'call') {
      this.err(
        'OFFSET_NEEDS_BIN',
        'offset shifts the bins of stats … by bin(period): add a bin() group key.',
        offset.span,
      );
      return;
    }
    const ms = offset.amount > 0 && Number.isInteger(offset.amount) ? periodMs(offset.amount, offset.unit) : undefined;
    if (ms === undefined) {
      this.err(
        'BAD_PERIOD',
        `offset ${offset.text} is not a fixed length: use a whole number of ms, s, m, h, d or w, like offset 1d.`,
        offset.span,
      );
      return;
    }
    if (this.scan) {
      this.err('RANGE_SHIFT_TWICE', 'Only one command of a query can move its time range (offset, diff).', offset.span);
      return;
    }
    const [t, period] = key.expr.args;
    const shifted: PExpr = { k: 'call', fn: '+', args: [t, { k: 'lit', kind: 'number', value: ms }], kind: 'number' };
    key.expr = { ...key.expr, args: [shifted, period] };
    this.scan = {
      ...(this.startTime !== undefined ? { startTime: this.startTime - ms } : {}),
      ...(this.endTime !== undefined ? { endTime: this.endTime - ms } : {}),
    };
  }

  private outputColumns(span: Span): OutputColumn[] {
    if (this.displayed) return this.displayed;
    const names = this.visible.length > 0 || this.aggregated ? this.visible : ['@timestamp', '@message'];
    return names.map((name) => ({ name, expr: this.env.get(name)?.expr ?? this.field(name, span) }));
  }

  // ------------------------------------------------------------ fields

  /** Resolve a field name in the current relation. */
  field(name: string, span: Span): PExpr {
    const b = this.env.get(name);
    if (b) return b.expr;
    // Dotted access into a jsonParse value bound to a prefix (`j.user.id`).
    const segs = name.split('.');
    for (let i = segs.length - 1; i >= 1; i--) {
      const prefix = segs.slice(0, i).join('.');
      const pb = this.env.get(prefix);
      if (pb && pb.expr.kind === 'json') return jsonAccess(pb.expr, segs.slice(i).map(segKey));
    }
    if (this.aggregated) {
      const near = closest(name, this.env.keys());
      if (this.inStats) {
        // A second stats may use only the first's outputs (spec §3.5).
        this.err(
          'FIELD_NOT_AVAILABLE',
          `${name} is not available after stats: only the previous stats' group keys and aggregates can be used here.`,
          span,
          near,
        );
      } else if (!this.warnedFields.has(name)) {
        // Elsewhere an undefined field is null (§3.8), as CloudWatch runs it: `sort @timestamp`
        // after `stats … by bin(1h)` sorts nothing. Said once, since it is rarely what was meant.
        this.warnedFields.add(name);
        const outputs = [...this.env.keys()].join(', ');
        this.warn(
          'FIELD_AFTER_STATS',
          `${name} is not an output of the stats before it, so it is missing in every row (a sort by it does nothing)${near ? `; did you mean ${near}?` : `; the stats outputs are ${outputs || 'none'}.`}`,
          span,
          near,
        );
      }
      return { k: 'lit', kind: 'null', value: null };
    }
    switch (name) {
      case '@timestamp':
        return { k: 'base', field: 'timestamp', kind: 'time' };
      case '@ingestionTime':
        return { k: 'base', field: 'ingestionTime', kind: 'time' };
      case '@logStream':
        return { k: 'base', field: 'logStream', kind: 'string' };
      case '@log':
        return { k: 'base', field: 'log', kind: 'string' };
      case '@message':
        return { k: 'base', field: 'message', kind: 'string' };
      case '@ptr':
        return { k: 'base', field: 'seq', kind: 'number' };
      default:
        break;
    }
    if (LAMBDA_FIELDS[name]) return { k: 'lambda', field: name, kind: LAMBDA_FIELDS[name] };
    if (name.startsWith('@@')) {
      // A discovered JSON key starting with @ is shown with one more @ (spec §2.2).
      return { k: 'json', source: null, path: name.slice(1).split('.'), guard: this.mixed, kind: 'string' };
    }
    const hot = HOT_FIELDS[name] ?? COST_FIELDS[name];
    if (hot) {
      const kind: ValueKind = this.mixed ? 'string' : hot.type === 'number' ? 'number' : 'string';
      return { k: 'hot', column: hot.column, jsonPath: name.split('.'), mixed: this.mixed, kind };
    }
    if (name.startsWith(REQUEST_METADATA_PREFIX) && name.length > REQUEST_METADATA_PREFIX.length) {
      this.checkKnown(name, span);
      const column = this.opts.catalog.columns?.get(name);
      const key = name.slice(REQUEST_METADATA_PREFIX.length);
      return { k: 'meta', key, ...(column !== undefined ? { column } : {}), mixed: this.mixed, kind: 'string' };
    }
    if (isBodyField(name) && !keptByDefault(name) && this.withoutBodies.length > 0 && !this.known?.has(name)) {
      // Not a typo: the bodies were not kept (at ingest, or as the records are read), so no event has this field. A field the
      // default ingest keeps (latency, usage) that never occurs is not about bodies: it is never seen.
      this.bodiesNotKept(name, span);
      return { k: 'lit', kind: 'null', value: null };
    }
    if (!this.checkKnown(name, span)) {
      // Never seen in the selected log groups: statically missing (no need to read every message).
      return { k: 'lit', kind: 'null', value: null };
    }
    return { k: 'json', source: null, path: segs.map(segKey), guard: this.mixed, kind: 'string' };
  }

  /**
   * BODIES_NOT_KEPT (once per query): the query reads a request/response body field, or matches
   * @message text, over Bedrock records stored (or read in place) without their bodies (the privacy default).
   */
  private bodiesNotKept(what: string, span: Span): void {
    if (this.withoutBodies.length === 0 || this.warnedBodies) return;
    this.warnedBodies = true;
    const where = this.withoutBodies.join(', ');
    this.warn(
      'BODIES_NOT_KEPT',
      (what === '@message'
        ? `The Bedrock records in ${where} ${this.bodies.how} without their request and response bodies, so @message holds no prompt or answer text to match.`
        : `${what} is part of a request or response body, and the Bedrock records in ${where} ${this.bodies.how} without bodies, so it is missing in every row.`) +
        ` Bodies are left out by default (prompts are sensitive); to keep them, ${this.bodies.remedy}`,
      span,
    );
  }

  /** False (with a warning) when the catalog says the field never occurs in the selected groups. */
  private checkKnown(name: string, span: Span): boolean {
    if (!this.known || this.known.has(name) || name.startsWith('@')) return true;
    if (!this.warnedFields.has(name)) {
      this.warnedFields.add(name);
      const suggestion = closest(name, this.known, false) ?? closest(name, this.known);
      this.warn(
        'FIELD_NEVER_SEEN',
        `${name} never occurs in the selected log groups, so it is missing in every row${suggestion ? `; did you mean ${suggestion}?` : '.'}`,
        span,
        suggestion,
      );
    }
    return false;
  }

  // ------------------------------------------------------------ expressions

  expr(e: Expr, ctx: { agg?: boolean; group?: boolean; local?: Map<string, PExpr>; inAgg?: boolean } = {}): PExpr {
    switch (e.kind) {
      case 'field': {
        if (ctx.local && !ctx.inAgg) {
          const l = ctx.local.get(e.name);
          if (l) return l;
        }
        if (ctx.agg && !ctx.inAgg && !ctx.local?.has(e.name)) {
          // A bare field outside any aggregate in stats: reported by the caller (NOT_AGGREGATED).
        }
        return this.field(e.name, e.span);
      }
      case 'number':
        return { k: 'lit', kind: 'number', value: e.value };
      case 'string':
        return { k: 'lit', kind: 'string', value: e.value };
      case 'boolean':
        return { k: 'lit', kind: 'bool', value: e.value };
      case 'regex': {
        const t = this.regex(e.pattern, e.span);
        return t
          ? { k: 'regex', pattern: t.pattern, caseInsensitive: t.caseInsensitive, kind: 'string' }
          : { k: 'lit', kind: 'null', value: null };
      }
      case 'duration':
        return this.period(e);
      case 'list':
        this.err('LIST_NOT_ALLOWED', 'A list [..] can only follow in / not in.', e.span);
        return { k: 'lit', kind: 'null', value: null };
      case 'star':
        this.err('STAR_NOT_ALLOWED', '* is only allowed as count(*) or count_over_time(*).', e.span);
        return { k: 'lit', kind: 'null', value: null };
      case 'unary': {
        const a = this.expr(e.operand, ctx);
        return e.op === '-'
          ? { k: 'call', fn: 'neg', args: [a], kind: 'number' }
          : { k: 'call', fn: 'not', args: [a], kind: 'bool' };
      }
      case 'binary': {
        const a = this.expr(e.left, ctx);
        const b = this.expr(e.right, ctx);
        const arith = ['+', '-', '*', '/', '%', '^'].includes(e.op);
        if (e.op === '!=' && this.defaults.notEqualMatchesMissing) {
          // not (a = b): true when either side is missing.
          return { k: 'call', fn: 'not', args: [{ k: 'call', fn: '=', args: [a, b], kind: 'bool' }], kind: 'bool' };
        }
        return { k: 'call', fn: e.op, args: [a, b], kind: arith ? 'number' : 'bool' };
      }
      case 'like': {
        const s = this.expr(e.subject, ctx);
        if (s.k === 'base' && s.field === 'message') this.bodiesNotKept('@message', e.span);
        let m: PExpr;
        if (e.pattern.kind === 'string') {
          m = {
            k: 'call',
            fn: 'contains',
            args: [s, { k: 'lit', kind: 'string', value: e.pattern.value }],
            kind: 'bool',
          };
        } else {
          m = { k: 'call', fn: 'regex_match', args: [s, this.expr(e.pattern, ctx)], kind: 'bool' };
        }
        return e.negated ? { k: 'call', fn: 'not', args: [m], kind: 'bool' } : m;
      }
      case 'in': {
        if (e.list.kind === 'subquery') {
          this.err('UNSUPPORTED_COMMAND', 'Subqueries (`in ( … )`) are not supported yet.', e.list.span);
          return { k: 'lit', kind: 'bool', value: false };
        }
        const s = this.expr(e.subject, ctx);
        const items = e.list.items.map((it) => this.expr(it, ctx));
        const m: PExpr = { k: 'call', fn: 'in', args: [s, ...items], kind: 'bool' };
        return e.negated ? { k: 'call', fn: 'not', args: [m], kind: 'bool' } : m;
      }
      case 'subquery':
        this.err('UNSUPPORTED_COMMAND', 'Subqueries are not supported yet.', e.span);
        return { k: 'lit', kind: 'null', value: null };
      case 'access': {
        const obj = this.expr(e.object, ctx);
        if (obj.kind !== 'json') {
          if (obj.k === 'lit' && obj.value === null) return obj;
          this.err(
            'NOT_A_MAP',
            'Only jsonParse() maps and lists can be accessed with . or [ ]; use jsonParse(field) first.',
            e.span,
          );
          return { k: 'lit', kind: 'null', value: null };
        }
        return jsonAccess(obj, [e.key]);
      }
      case 'call':
        return this.call(e, ctx);
      default: {
        const never: never = e;
        void never;
        return { k: 'lit', kind: 'null', value: null };
      }
    }
  }

  /**
   * A regex of the query, translated to the plan's RE2 form and checked with RE2's own rules:
   * what DuckDB would refuse at run time is a REGEX_INVALID diagnostic now (CloudWatch answers
   * MalformedQueryException at StartQuery), with the caret on the part at fault.
   */
  private regex(src: string, span: Span): TranslatedRegex | undefined {
    const t = translateRegex(src);
    if (t.error) {
      this.err('REGEX_UNSUPPORTED', `This regex cannot run: ${t.error}.`, span);
      return undefined;
    }
    const problem = re2Problem(t.pattern);
    if (problem) {
      this.err(
        'REGEX_INVALID',
        `Invalid regular expression: ${problem.reason}${problem.fragment ? ` \`${problem.fragment}\`` : ''}. Regexes follow RE2 syntax: escape ( ) [ ] { } * + ? with \\ to match them literally.`,
        this.fragmentSpan(span, problem.fragment),
      );
      return undefined;
    }
    return t;
  }

  /** The span of `fragment` inside the literal at `span` (after its opening / or quote), else the literal. */
  private fragmentSpan(span: Span, fragment: string | undefined): Span {
    if (!fragment) return span;
    const i = this.opts.text.slice(span.start, span.end).indexOf(fragment, 1);
    return i < 0 ? span : { start: span.start + i, end: span.start + i + fragment.length };
  }

  private period(d: DurationLit): PExpr {
    const cap = PERIOD_CAPS[d.unit];
    let amount = d.amount;
    if (!(amount > 0) || !Number.isInteger(amount)) {
      this.err(
        'BAD_PERIOD',
        `${d.text} is not a valid period: use a positive whole number and a unit, like 5m.`,
        d.span,
      );
      amount = 1;
    }
    if (cap !== undefined && amount > cap) {
      // CloudWatch caps it too (spec §6.4: bin(300s) is a 60-second bin), but the author surely
      // meant the longer period: say so, and how to write it.
      const meant = cappedPeriodSpelling(amount, d.unit);
      this.warn(
        'PERIOD_CAPPED',
        `${d.text} is a ${cap}${d.unit} period: CloudWatch caps ${d.unit} at ${cap}, so larger amounts are not converted${meant ? `; for ${d.text} write ${meant}` : '; use a larger unit'}.`,
        d.span,
        meant,
      );
      amount = cap;
    }
    return { k: 'period', amount, unit: d.unit, kind: 'number' };
  }

  private call(
    e: Extract<Expr, { kind: 'call' }>,
    ctx: { agg?: boolean; group?: boolean; local?: Map<string, PExpr>; inAgg?: boolean },
  ): PExpr {
    const spec = lookupFunction(e.lname);
    if (!spec) {
      const s = closest(e.name, allFunctionNames());
      this.err('UNKNOWN_FUNCTION', `Unknown function ${e.name}${s ? `; did you mean ${s}?` : '.'}`, e.span, s);
      return { k: 'lit', kind: 'null', value: null };
    }
    const n = e.args.length;
    const starOnly = n === 1 && e.args[0].kind === 'star';
    if (n < spec.minArgs || n > spec.maxArgs) {
      this.err(
        'WRONG_ARGUMENT_COUNT',
        `${spec.name} takes ${arity(spec)}; it was given ${n}. Usage: ${spec.signature}`,
        e.span,
      );
      return { k: 'lit', kind: 'null', value: null };
    }
    if (spec.role === 'aggregate') {
      if (!ctx.agg || ctx.inAgg) {
        this.err(
          'AGGREGATE_NOT_ALLOWED',
          ctx.inAgg
            ? `${spec.name} cannot be nested inside another aggregate.`
            : `${spec.name} is an aggregate: it can only be used in stats.`,
          e.span,
        );
        return { k: 'lit', kind: 'null', value: null };
      }
      return this.aggregate(spec, e, starOnly, ctx);
    }
    if (spec.role === 'group' && !ctx.group) {
      this.err('GROUP_FUNCTION_NOT_ALLOWED', `${spec.name} can only be used in the by clause of stats.`, e.span);
      return { k: 'lit', kind: 'null', value: null };
    }
    const lname = functionName(spec);
    if (lname === 'bin') {
      // bin(period) reads @timestamp; bin(ts, period), the form of AWS's Bedrock guides, reads ts.
      const two = e.args.length === 2;
      if (this.aggregated && !two) {
        this.err(
          'BIN_AFTER_STATS',
          'bin() reads @timestamp, which does not exist after stats: carry a time forward (max(@timestamp) as t) and use datefloor(t, period).',
          e.span,
        );
        return { k: 'lit', kind: 'null', value: null };
      }
      const p = e.args[two ? 1 : 0];
      if (p.kind !== 'duration') {
        this.err('BAD_PERIOD', 'bin() takes a period such as 5m, 1h or 1d.', p.span);
        return { k: 'lit', kind: 'null', value: null };
      }
      const t: PExpr = two ? this.expr(e.args[0], ctx) : { k: 'base', field: 'timestamp', kind: 'time' };
      return { k: 'call', fn: 'bin', args: [t, this.period(p)], kind: 'time' };
    }
    if (lname === 'datefloor' || lname === 'dateceil') {
      const p = e.args[1];
      if (p.kind !== 'duration') {
        this.err('BAD_PERIOD', `${spec.name}() takes a period such as 5m, 1h or 1d as its second argument.`, p.span);
        return { k: 'lit', kind: 'null', value: null };
      }
      return { k: 'call', fn: lname, args: [this.expr(e.args[0], ctx), this.period(p)], kind: 'time' };
    }
    if (lname === 'histogram') {
      return {
        k: 'call',
        fn: 'histogram',
        args: [this.expr(e.args[0], ctx), this.expr(e.args[1], ctx)],
        kind: 'number',
      };
    }
    const args = e.args.map((a) => this.expr(a, ctx));
    // strcontains(@message, "…") searches the text as `like` does: say why a prompt is not found.
    if (lname === 'strcontains' && args[0].k === 'base' && args[0].field === 'message')
      this.bodiesNotKept('@message', e.span);
    if (
      (lname === 'formatdate' || lname === 'parsedate') &&
      !(args[1].k === 'lit' && typeof args[1].value === 'string')
    ) {
      this.err(
        'BAD_ARGUMENT',
        `${spec.name}() needs its format as a quoted string, like ${lname === 'formatdate' ? '"%Y-%m-%d"' : '"yyyy-MM-dd"'}.`,
        e.args[1].span,
      );
      return { k: 'lit', kind: 'null', value: null };
    }
    if (lname === 'regexreplace') {
      // The pattern is a string or /regex/ literal, checked now: a pattern read from the data
      // could only fail at run time.
      const a = args[1];
      if (a.k === 'lit' && typeof a.value === 'string') {
        const t = this.regex(a.value, e.args[1].span);
        if (!t) return { k: 'lit', kind: 'null', value: null };
        args[1] = { k: 'regex', pattern: t.pattern, caseInsensitive: t.caseInsensitive, kind: 'string' };
      } else if (a.k === 'lit' && a.value === null) {
        return a; // already reported, or a field that never occurs: the result is missing
      } else if (a.k !== 'regex') {
        this.err(
          'BAD_ARGUMENT',
          `${spec.name}() needs its pattern as a string or /regex/ literal, like regexReplace(f, "[0-9]+", "#").`,
          e.args[1].span,
        );
        return { k: 'lit', kind: 'null', value: null };
      }
    }
    let kind: ValueKind;
    if (lname === 'if') kind = unifyKinds([args[1].kind, args[2].kind]);
    else if (lname === 'case')
      kind = unifyKinds(
        args.filter((_, i) => i % 2 === 1 || (args.length % 2 === 1 && i === args.length - 1)).map((a) => a.kind),
      );
    else if (lname === 'coalesce') kind = unifyKinds(args.map((a) => a.kind));
    else kind = spec.returns === 'arg' ? (args[0]?.kind ?? 'string') : spec.returns;
    if (kind === 'null') kind = 'string';
    return { k: 'call', fn: lname, args, kind };
  }

  private aggregate(
    spec: FunctionSpec,
    e: Extract<Expr, { kind: 'call' }>,
    starOnly: boolean,
    ctx: { local?: Map<string, PExpr> },
  ): PExpr {
    const inner = { agg: true, inAgg: true, local: ctx.local };
    const lname = spec.name.toLowerCase();
    let fn = AGG_FNS[lname];
    if ((lname === 'count' || lname === 'countovertime') && (e.args.length === 0 || starOnly)) {
      return { k: 'agg', fn: 'count_star', args: [], kind: 'number' };
    }
    if (e.args.some((a) => a.kind === 'star')) {
      this.err('STAR_NOT_ALLOWED', `* is only allowed as count(*); ${spec.name} needs a field.`, e.span);
      return { k: 'lit', kind: 'null', value: null };
    }
    const args: PExpr[] = [];
    if (lname === 'rate') {
      const p = e.args[1];
      if (p.kind !== 'duration') {
        this.err('BAD_PERIOD', 'rate() takes a period such as 1m as its second argument.', p.span);
        return { k: 'lit', kind: 'null', value: null };
      }
      args.push(this.expr(e.args[0], inner), this.period(p));
    } else {
      for (const a of e.args) args.push(this.expr(a, inner));
    }
    if (args[0] && this.isContainer(args[0])) {
      this.err(
        'MAP_NOT_ALLOWED',
        `Maps and lists cannot be aggregated: aggregate one of their values (like j.key) instead.`,
        e.span,
      );
      return { k: 'lit', kind: 'null', value: null };
    }
    if (lname === 'pct') {
      const p = args[1];
      if (p.k !== 'lit' || typeof p.value !== 'number' || p.value < 0 || p.value > 100) {
        this.err(
          'BAD_PERCENTILE',
          'pct() takes a percentile between 0 and 100 as a number, like pct(latency, 95).',
          e.args[1].span,
        );
        return { k: 'lit', kind: 'null', value: null };
      }
    }
    if ((fn === 'earliest' || fn === 'latest') && this.aggregated) {
      this.err('FIELD_NOT_AVAILABLE', `${spec.name}() needs @timestamp, which does not exist after stats.`, e.span);
      return { k: 'lit', kind: 'null', value: null };
    }
    let kind: ValueKind = spec.returns === 'arg' ? args[0].kind : spec.returns;
    if ((fn === 'earliest' || fn === 'latest') && args[0].kind === 'time') kind = 'number'; // epoch ms [Obs]
    if (kind === 'null') kind = 'string';
    if (fn === undefined) fn = 'count';
    return { k: 'agg', fn, args, kind };
  }
}

/** The same length in the largest unit that holds it within its cap (86400s → 1d), if any. */
function cappedPeriodSpelling(amount: number, unit: DurationLit['unit']): string | undefined {
  const total = periodMs(amount, unit);
  if (total === undefined) return undefined;
  for (const u of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = periodMs(1, u) ?? 0;
    const cap = PERIOD_CAPS[u];
    if (total % size === 0 && (cap === undefined || total / size <= cap)) return `${total / size}${u}`;
  }
  return undefined;
}

const REL_UNITS: Record<string, number> = {
  ms: 1,
  msec: 1,
  millisecond: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
};
const REL_MONTHS: Record<string, number> = {
  mo: 1,
  mon: 1,
  month: 1,
  q: 3,
  qtr: 3,
  quarter: 3,
  y: 12,
  yr: 12,
  year: 12,
};

/** The range a checked-only diff is planned over (the plan is never run): the hour before `now`. */
function standInRange(now: number): { startTime: number; endTime: number } {
  return { startTime: now - 3_600_000, endTime: now };
}

/** The period diff compares with: the one just before (same length), or a day, week or month earlier. */
function previousPeriod(
  cur: { startTime: number; endTime: number },
  period: DiffCmd['period'],
): { startTime: number; endTime: number } {
  const back = (ms: number) => ({ startTime: cur.startTime - ms, endTime: cur.endTime - ms });
  switch (period) {
    case undefined:
      return back(cur.endTime - cur.startTime + 1);
    case 'previousDay':
      return back(86_400_000);
    case 'previousWeek':
      return back(7 * 86_400_000);
    case 'previousMonth': {
      const month = (t: number) => {
        const d = new Date(t);
        d.setUTCMonth(d.getUTCMonth() - 1);
        return d.getTime();
      };
      return { startTime: month(cur.startTime), endTime: month(cur.endTime) };
    }
  }
}

/** `SOURCE … start=-1d end=now` times: now, ±N<unit> (relative to now), epoch ms, or ISO text. */
export function sourceTime(text: string, now: number): number | undefined {
  const t = text.trim();
  if (/^now$/i.test(t)) return now;
  const m = /^([+-])\s*(\d+)\s*([a-z]+)$/i.exec(t);
  if (m) {
    const n = Number(m[2]) * (m[1] === '-' ? -1 : 1);
    let unit = m[3].toLowerCase();
    if (REL_UNITS[unit] === undefined && REL_MONTHS[unit] === undefined && unit.endsWith('s')) unit = unit.slice(0, -1);
    if (REL_UNITS[unit] !== undefined) return now + n * REL_UNITS[unit];
    if (REL_MONTHS[unit] !== undefined) {
      const d = new Date(now);
      d.setUTCMonth(d.getUTCMonth() + n * REL_MONTHS[unit]);
      return d.getTime();
    }
    return undefined;
  }
  if (/^\d+$/.test(t)) return t.length <= 10 ? Number(t) * 1000 : Number(t);
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}

function arity(spec: FunctionSpec): string {
  if (spec.minArgs === spec.maxArgs) return `${spec.minArgs} argument${spec.minArgs === 1 ? '' : 's'}`;
  if (spec.maxArgs === Number.POSITIVE_INFINITY)
    return `at least ${spec.minArgs} argument${spec.minArgs === 1 ? '' : 's'}`;
  return `${spec.minArgs} to ${spec.maxArgs} arguments`;
}

function segKey(s: string): string | number {
  return s;
}

function jsonAccess(obj: PExpr, path: (string | number)[]): PExpr {
  if (obj.k === 'json' && obj.source !== null) return { ...obj, path: [...obj.path, ...path] };
  return { k: 'json', source: obj, path, guard: true, kind: 'json' };
}

/** A Bedrock invocation record field of the request or response body. */
function isBodyField(name: string): boolean {
  return /^(input\.inputBodyJson|output\.outputBodyJson)(\.|$)/.test(name);
}

/** The group holds Bedrock invocation records (their discovered fields say so). */
function isBedrockGroup(fields: ReadonlySet<string> | undefined): boolean {
  return !!fields && fields.has('modelId') && fields.has('schemaType');
}

/**
 * Some of the group's records kept a whole body (ingested with --keep-bodies): a body field the
 * default ingest drops (prompt or response text) was seen. The default keeps latency, usage, stop
 * reason and such (src/logs/bodies.ts), which say nothing either way.
 */
function hasBodies(fields: ReadonlySet<string> | undefined): boolean {
  for (const f of fields ?? []) if (isBodyField(f) && !keptByDefault(f)) return true;
  return false;
}

/** Expressions worth computing once rather than inlining at every use. */
function heavy(e: PExpr): boolean {
  if (e.kind === 'json') return e.k !== 'ref';
  if (e.k === 'call') return e.fn === 'regex_extract' || e.args.some(heavy);
  return false;
}

export function containsAgg(e: PExpr): boolean {
  if (e.k === 'agg') return true;
  if (e.k === 'call') return e.args.some(containsAgg);
  return false;
}

/** Analyse a parsed query into a plan. Never throws: problems are diagnostics. */
export function analyze(query: Query, opts: AnalyzeOptions): Analysis {
  const a = new Analyzer(opts);
  try {
    const plan = a.run(query);
    return plan ? { plan, diagnostics: a.diags } : { diagnostics: a.diags };
  } catch (e) {
    // A bug in the analyzer must not crash the caller: report it as a diagnostic.
    a.diags.push(
      diagnostic(
        opts.text,
        'ANALYZER_INTERNAL',
        'error',
        `Internal analyzer error: ${(e as Error).message}`,
        query.span,
      ),
    );
    return { diagnostics: a.diags };
  }
}

/**
 * The column name of a projection: its alias, else a field reference's field name (without the
 * backticks it needed: ``fields `requestMetadata.cost-center` `` is named requestMetadata.cost-center,
 * as CloudWatch names a field by its field), else the expression text as written (spec §6.8).
 */
export function projectionName(p: Projection): string {
  return p.alias?.name ?? (p.expr.kind === 'field' ? p.expr.name : p.text);
}

export type { Name };
