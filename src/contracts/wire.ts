import type { QueryStatistics, QueryStatus } from '../engines/engine.js';
import type { Diagnostic } from '../insights/diagnostics.js';
import type { AnswerSource } from '../insights/plan.js';
import type { RangeSpec } from './range.js';

/**
 * The shapes the console's HTTP API sends and receives, written once for the server and the
 * browser: the server modules re-export them, web/src imports them with `import type`.
 *
 * web/tsconfig.json type-checks this file and everything it imports, without Node's types, so it
 * must stay free of runtime imports; its type imports reach only modules with no imports of
 * their own but types (engines/engine.ts, insights/diagnostics.ts, insights/ast.ts, contracts/range.ts).
 */

export type { AnswerSource, Diagnostic, QueryStatistics, QueryStatus, RangeSpec };

// -- queries (src/api/queries.ts, src/api/records.ts) ---------------------------------------

/** What the page receives: CloudWatch rows turned into objects (field -> string value). */
/** An engine a query, saved query or widget may name (GET /api/engines): never its credentials. */
export interface EngineChoice {
  /** `duckdb` (the store) or a connection of server.json's `engines`. */
  name: string;
  engine: 'duckdb' | 'trino' | 'athena' | 'cloudwatch';
  description: string;
}

export interface QueryView {
  queryId: string;
  status: QueryStatus;
  columns: string[];
  rows: Record<string, string>[];
  statistics: QueryStatistics;
  warnings: Diagnostic[];
  truncated: boolean;
  aggregated: boolean;
  error?: { code: string; message: string };
  startTime: number;
  endTime: number;
  elapsedMs: number;
  /** The embedded engine: the hourly roll-up or the events answered, and why (src/insights/sql/rollup.ts). */
  answeredBy?: AnswerSource;
}

/** The full event behind a result row's @ptr (the expandable row of plain log queries). */
export interface LogRecord {
  logGroup: string;
  logStream: string;
  timestamp: number;
  ingestionTime: number;
  /** @message parsed as JSON when it is JSON, else the raw text. */
  message: unknown;
  /** The record's price (cost.* fields), for Bedrock records; absent for other events. */
  cost?: RecordCost;
}

/**
 * The fields of a record's price, as the query language names them (docs/semantics.md #43): the
 * expanded row shows them (src/api/consoleQueries.ts reads them with a query).
 */
export const RECORD_COST_FIELDS = [
  'cost.total',
  'cost.input',
  'cost.output',
  'cost.cacheRead',
  'cost.cacheWrite',
  'cost.unpricedTokens',
  'cost.unpriced',
  'cost.priceVersion',
] as const;

/** The per-record cost of an expanded row (GET /api/records): the `cost.*` fields as a query returns them. */
export interface RecordCost {
  /** Field -> value, as text (absent fields are left out: no price for that part). */
  fields: Record<string, string>;
}

// -- the query page's CloudWatch-like panels (src/api/consoleRoutes.ts) -----------------------

/** A console edit of a query's text (POST /api/query-edit): the discovered fields' and the record's buttons. */
export interface QueryEdit {
  op: 'fields' | 'filter' | 'exclude' | 'statsBy';
  field: string;
  /** For filter/exclude: the value (a JSON number stays a number); absent: "has the field"; null: "lacks it". */
  value?: string | number | boolean | null;
}

/** POST /api/histogram: the events the query's row-level commands match, per bin over the range. */
export interface Histogram {
  /** Bin width (ms) and its Logs Insights spelling (`5m`, `1h`, `1d`). */
  binMs: number;
  bin: string;
  /** [bin start (epoch ms), events]; bins without events are absent. */
  bins: [number, number][];
  /** Events in the range matching the query's filters. */
  total: number;
  /** The Logs Insights query that counted them (shown, and openable). */
  queryString: string;
  startTime: number;
  endTime: number;
}

/** POST /api/field-coverage: the share of the matching events that have each field. */
export interface FieldCoverage {
  /** Events in the range matching the query's filters. */
  total: number;
  fields: { field: string; events: number }[];
  queryString: string;
}

/** GET /api/extent: the events of the log groups over all time (what an empty result is compared with). */
export interface LogGroupExtent {
  events: number;
  /** Epoch ms of the oldest and newest event; null without events. */
  first: number | null;
  last: number | null;
}

/** GET /api/language: names for the editor's completion and highlighting (src/api/language.ts). */
export interface LanguageCatalog {
  commands: { name: string; syntax: string; tier: number }[];
  /** Every accepted spelling of every function; `detail` is its signature. */
  functions: { name: string; kind: 'aggregate' | 'scalar'; detail?: string }[];
  keywords: string[];
}

// -- saved queries, history, dashboards (src/workspace/definitions.ts) ----------------------

export interface QueryParameter {
  name: string;
  defaultValue?: string;
  description?: string;
}

export interface SavedQuery {
  id: string;
  name: string;
  folder: string;
  queryString: string;
  logGroups: string[];
  description: string;
  parameters: QueryParameter[];
  /** The engine it runs on (an EngineChoice name); absent: the store's. */
  engine?: string;
  builtin: boolean;
  createdTime: number;
  updatedTime: number;
}

export interface HistoryEntry {
  id: string;
  queryString: string;
  logGroups: string[];
  range: RangeSpec;
  runTime: number;
  status: string;
  recordsMatched: number | null;
  rowCount: number | null;
  durationMs: number | null;
  error: string | null;
}

export type WidgetView = 'line' | 'stackedArea' | 'bar' | 'pie' | 'table' | 'number';
// A value, not only a type, so the server validates against the very list the type is made of;
// it has no imports, so the browser may import it too.
export const REFRESH_CHOICES = ['off', '10s', '30s', '1m', '5m', '15m'] as const;
export type RefreshChoice = (typeof REFRESH_CHOICES)[number];

export interface Widget {
  id: string;
  title: string;
  queryString: string;
  logGroups: string[];
  view: WidgetView;
  /** Columns on a 24-column grid (CloudWatch's), 1–24. */
  width: number;
  /** Rows of about 50 px, 1–1000 (CloudWatch's unit). */
  height: number;
  /** Refreshed every 10 s while the dashboard is open, whatever the dashboard's auto-refresh. */
  live?: boolean;
  /** The engine it runs on (an EngineChoice name); absent: the store's. */
  engine?: string;
}

export interface DashboardBody {
  range: RangeSpec;
  refresh: RefreshChoice;
  /** Show the header of totals (requests, input and output tokens, change against the previous period). */
  totals: boolean;
  widgets: Widget[];
}

export interface Dashboard extends DashboardBody {
  id: string;
  name: string;
  builtin: boolean;
  createdTime: number;
  updatedTime: number;
}

// -- alarms (src/alarms/store.ts) -----------------------------------------------------------

/** Same union as src/alarms/definition.ts's AlarmState (that module imports zod, so it is not imported here). */
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmSeriesState {
  alarm: string;
  series: string;
  labels: Record<string, string>;
  state: AlarmState;
  reason: string;
  value: number | null;
  stateTs: number;
  evaluatedTs: number;
  lastNotifiedTs: number | null;
}

export interface AlarmHistoryEntry {
  id: number;
  alarm: string;
  series: string;
  labels: Record<string, string>;
  ts: number;
  periodStart: number | null;
  oldState: AlarmState;
  newState: AlarmState;
  reason: string;
  value: number | null;
  threshold: number | null;
  /** Kept with ALARM transitions by the evaluator (src/alarms/evaluate.ts). */
  explanation: AlarmExplanation | null;
}

/** Why an alarm fired: the previous period's value and the biggest increases per dimension. */
export interface AlarmExplanation {
  previousValue?: number | null;
  drivers?: { dimension: string; items: { value: string; current: number; previous: number }[] }[];
  /** The console's query for the period (`/query?q=…`). */
  consoleUrl?: string;
}

// ---- the Alarms page (/api/alarms…; built by src/api/alarmRoutes.ts)

/** One alarm in the list: its worst series state and its targets (without secrets). */
export interface AlarmSummary {
  name: string;
  kind: string;
  description: string | null;
  enabled: boolean;
  builtin: boolean;
  state: AlarmState;
  series: AlarmSeriesState[];
  targets: string[];
  updated: number;
}

/** GET /api/alarms */
export interface AlarmList {
  alarms: AlarmSummary[];
  /** When the scheduler last evaluated (epoch ms), null before its first pass or when it is off. */
  lastEvaluation: number | null;
}

/** A notification of the outbox, its target described without secrets. */
export interface AlarmNotificationEntry {
  id: number;
  kind: string;
  series: string;
  target: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  error: string | null;
  created: number;
  sent: number | null;
  /** The state the notification announced. */
  state: string | null;
}

/** GET /api/alarms/:name (the definition is the alarm file's, redacted; these are the fields the page reads). */
export interface AlarmDetail {
  definition: {
    name: string;
    kind: string;
    description?: string;
    period: number;
    threshold?: number;
    comparisonOperator: string;
    evaluationPeriods: number;
    datapointsToAlarm?: number;
    treatMissingData: string;
    targets: string[];
  };
  enabled: boolean;
  builtin: boolean;
  states: AlarmSeriesState[];
  history: AlarmHistoryEntry[];
  notifications: AlarmNotificationEntry[];
}

/** GET /api/alarms/:name/series: the watched values and the state changes, by replaying the alarm. */
export interface AlarmSeriesChart {
  name: string;
  period: number;
  threshold: number | null;
  comparisonOperator: string;
  since: number;
  until: number;
  /** Series key -> [period start, value][]. */
  values: Record<string, [number, number][]>;
  transitions: {
    series: string;
    at: number;
    /** The period whose value made the change (the breaching one for ALARM). */
    periodStart: number | null;
    from: AlarmState;
    to: AlarmState;
    value: number | null;
    threshold: number | null;
  }[];
}

/** POST /api/alarms/backtest: a definition being edited, replayed over the last 30 days. */
export interface AlarmBacktest extends AlarmSeriesChart {
  /** Changes into ALARM over the range, all series. */
  fired: number;
  evaluations: number;
  /** How many series the alarm watched (the chart has the first 20, those that fired most first). */
  series: number;
  firedBySeries: Record<string, number>;
  /** Per-series thresholds (budgets: a share of each owner's budget). */
  seriesThresholds: Record<string, number>;
  /** A threshold from history (metric and query alarms with enough data), null otherwise. */
  suggestion: {
    threshold: number;
    rule: string;
    percentileValue: number;
    values: number;
    fired: number;
  } | null;
}

/** One problem of an alarm definition (ALARM_INVALID's `fields`): the field's path and what is wrong. */
export interface AlarmFieldProblem {
  path: string;
  message: string;
}

/** POST /api/alarms/evaluate (the fields of the evaluation report the page reads). */
export interface AlarmEvaluation {
  at: number;
  alarms: { name: string; error?: string }[];
}

/** POST /api/alarms/:name/test-notify */
export interface AlarmTestDeliveries {
  deliveries: { ok: boolean; target: string; error?: string }[];
}

/** POST /api/alarms/:name/enable: every target after adding the recipients. */
export interface AlarmEnabled {
  name: string;
  enabled: true;
  targets: string[];
}

/** POST /api/alarms/:name/disable */
export interface AlarmDisabled {
  name: string;
  enabled: false;
}

/** POST /api/alarms (created: the name was new), DELETE /api/alarms/:name. */
export interface AlarmSaved {
  name: string;
  created: boolean;
}
export interface AlarmDeleted {
  deleted: string;
}

// -- cost (src/reports/query.ts) ------------------------------------------------------------

export interface Usage {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** USD of what is priced (exact double sum of cost.total): never includes the unpriced tokens. */
  cost: number;
  /** Requests with any price (cost.total present; a partly priced one counts). */
  pricedRequests: number;
  /** Requests with an unpriced part (count(cost.unpriced)): no price at all, or a cache class without one. */
  unpricedRequests: number;
  /** Their unpriced tokens (sum(cost.unpricedTokens)): every figure reads "$cost + unpricedTokens unpriced tokens". */
  unpricedTokens: number;
}

/** The name of spend without a value for the owner key, everywhere (console, CLI, report). */
export const UNTAGGED_LABEL = '(untagged)';

// ---- the Cost page (GET /api/cost/summary; built by src/reports/summary.ts)

/** The query parameters of GET /api/cost/summary and /api/cost/chargeback. */
export interface CostParams {
  /** Epoch ms, [start, end]. */
  start: number;
  end: number;
  /** The owner key: `cost_center`, `requestMetadata.<key>`, … */
  by: string;
  /** The untagged rule (src/reports/chargeback.ts `parseUntaggedRule`). */
  untagged: string;
  logGroups?: string[];
}

/** The `format` of GET /api/cost/chargeback. */
export type ChargebackFormat = 'csv' | 'html' | 'json';

/** A reporting period: a UTC month or quarter, [start, end) in epoch ms. */
export interface Period {
  kind: 'month' | 'quarter' | 'range';
  /** `2026-10`, `2026-Q3`, or a range's own label. */
  label: string;
  start: number;
  /** Exclusive. */
  end: number;
}

export interface Ranked extends Usage {
  name: string;
  /** Share of the period's cost. */
  share: number;
  untagged?: boolean;
}

export interface CacheModel {
  model: string;
  readTokens: number;
  readCost: number;
  readAtInput: number;
  writeTokens: number;
  writeCost: number;
  writeAtInput: number;
}

export interface CacheSavings {
  readTokens: number;
  /** What the cache reads cost. */
  readCost: number;
  /** What the same tokens would have cost as plain input. */
  readAtInput: number;
  /** readAtInput - readCost. */
  savings: number;
  writeTokens: number;
  writeCost: number;
  writeAtInput: number;
  /** writeCost - writeAtInput: the premium paid to write the cache. */
  writePremium: number;
  /** savings - writePremium. */
  net: number;
  byModel: CacheModel[];
}

/**
 * A change against the previous period. `ratio` is null when it would mislead: the previous
 * period has no data, or only part of it has data (the store starts inside it); `basis` says which.
 */
export interface Change {
  current: number;
  previous: number;
  ratio: number | null;
  basis: 'full' | 'partial' | 'none';
  /** Why there is no ratio, in words ("previous period only partly covered: data from 2026-11-04"). */
  note?: string;
}

/** Which part of a period the store has data for. */
export interface PeriodCoverage {
  /** empty: no invocation in the period; partial: the store's data starts after its start or ends before its end. */
  state: 'empty' | 'partial' | 'full';
  /** The store's first and last invocation (all time; null when it has none). */
  storeFirst: number | null;
  storeLast: number | null;
  /** A label for titles: "partial: data from 2026-11-04 17:00 UTC", "no data: the store covers …". */
  label: string;
}

/** Price coverage: the share of tokens priced, and the unpriced bucket per model (never $0). */
export interface Coverage {
  tokens: number;
  unpricedTokens: number;
  unpricedRequests: number;
  /** Priced tokens / tokens; null when there are no tokens (shown as "n/a", never "100%"). */
  share: number | null;
  unpriced: { model: string; requests: number; tokens: number }[];
}

/** Does the owner key exist? Its coverage in the period, and the keys that do exist (did-you-mean). */
export interface OwnerKeyCheck {
  /** The Logs Insights field of the key. */
  field: string;
  /** Share of the period's invocations with a value for it. */
  share: number;
  /** The closest existing key when this one is (nearly) absent. */
  suggestion: string | null;
  /** Keys present in the period, with their coverage, most covered first. */
  keys: { key: string; field: string; share: number }[];
  /** The warning to show ("" when the key is fine). */
  warning: string;
}

/** The price book behind the figures, and whether its data is older than 90 days. */
export interface BookInfo {
  version: string;
  retrieved: string;
  ageDays: number;
  stale: boolean;
  warning: string;
}

/** The console Cost page's figures for any time range (the report's figures, without the trends of months). */
export interface CostSummary {
  period: Period;
  previous: Period;
  by: string;
  field: string;
  totals: Usage;
  previousTotals: Usage;
  change: { cost: Change; requests: Change; tokens: Change };
  coverage: Coverage;
  /** The range's and the previous range's data coverage. */
  periodCoverage: PeriodCoverage;
  previousCoverage: PeriodCoverage;
  ownerKey: OwnerKeyCheck;
  book: BookInfo;
  /** Per value of the chosen key, all of them (untagged last). */
  breakdown: Ranked[];
  models: Ranked[];
  /** Per UTC day (or hour, for ranges up to 2 days): `bin` is CloudWatch-formatted. */
  series: { bin: string; cost: number; requests: number; unpricedTokens: number }[];
  seriesUnit: '1h' | '1d';
  cache: CacheSavings;
  /** The chargeback statement's totals for the range (cents, exact). */
  statement: {
    totalCents: number;
    untaggedCents: number;
    untaggedShare: number;
    owners: {
      owner: string;
      kind: string;
      totalCents: number;
      untaggedCents: number;
      unpricedRequests: number;
      unpricedTokens: number;
    }[];
  };
}
