/**
 * The Logs Insights AST. Plain, frozen-friendly data: every node has a `kind` and a source
 * `span` (character offsets [start, end) into the query text as given to the parser, after
 * saved-query expansion). Visitors switch on `kind` and must handle every kind.
 *
 * This file is the contract between the parser (src/insights/parser.ts) and the analyzer /
 * planner (src/insights/analyzer.ts, plan.ts, sql/*). Change it only together with both.
 */

export interface Span {
  start: number;
  end: number;
}

// ---------------------------------------------------------------- expressions

/** A field reference as written, backticks removed: `@timestamp`, `input.inputTokenCount`, `detail-type`. */
export interface FieldRef {
  kind: 'field';
  name: string;
  quoted: boolean;
  span: Span;
}
export interface NumberLit {
  kind: 'number';
  value: number;
  text: string;
  span: Span;
}
/** String literal, escapes decoded (\t \n \r \" \' \\; other backslash pairs kept as written). */
export interface StringLit {
  kind: 'string';
  value: string;
  span: Span;
}
/** `/pattern/`: `pattern` is the text between the slashes with `\/` turned into `/`. */
export interface RegexLit {
  kind: 'regex';
  pattern: string;
  span: Span;
}
export interface BooleanLit {
  kind: 'boolean';
  value: boolean;
  span: Span;
}
/** A period such as `5m`, `1h`, `30s`, `2 hours`: `unit` is the canonical unit. */
export interface DurationLit {
  kind: 'duration';
  amount: number;
  unit: DurationUnit;
  text: string;
  span: Span;
}
export interface ListLit {
  kind: 'list';
  items: Expr[];
  span: Span;
}
/** `*` as the argument of count(*) / count_over_time(*). */
export interface Star {
  kind: 'star';
  span: Span;
}
export interface Unary {
  kind: 'unary';
  op: '-' | 'not';
  operand: Expr;
  span: Span;
}
export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '^' | '=' | '!=' | '<' | '<=' | '>' | '>=' | 'and' | 'or';
export interface Binary {
  kind: 'binary';
  op: BinaryOp;
  left: Expr;
  right: Expr;
  span: Span;
}
/** `x like "s"`, `x like /re/`, `x =~ /re/`, `x not like …`. */
export interface Like {
  kind: 'like';
  negated: boolean;
  subject: Expr;
  pattern: StringLit | RegexLit;
  span: Span;
}
/** `x in [..]`, `x not in [..]`; `subquery` when the right side is `( query )`. */
export interface In {
  kind: 'in';
  negated: boolean;
  subject: Expr;
  list: ListLit | Subquery;
  span: Span;
}
export interface Subquery {
  kind: 'subquery';
  query: Query;
  span: Span;
}
/** A function call. `name` as written; `lname` lowercased. Aggregates are calls too. */
export interface Call {
  kind: 'call';
  name: string;
  lname: string;
  args: Expr[];
  span: Span;
}
/** Structural access into a map/list value: `expr.key`, `expr[0]`, ``expr.`odd key` ``. */
export interface Access {
  kind: 'access';
  object: Expr;
  key: string | number;
  span: Span;
}

export type Expr =
  | FieldRef
  | NumberLit
  | StringLit
  | RegexLit
  | BooleanLit
  | DurationLit
  | ListLit
  | Star
  | Unary
  | Binary
  | Like
  | In
  | Subquery
  | Call
  | Access;

export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd' | 'w' | 'mo' | 'q' | 'y';

/** `expr [as alias]`. `text` is the expression's source text (trimmed), the default column name. */
export interface Projection {
  expr: Expr;
  alias?: Name;
  text: string;
  span: Span;
}
export interface Name {
  name: string;
  span: Span;
}

// ---------------------------------------------------------------- commands

export interface FieldsCmd {
  kind: 'fields';
  items: Projection[];
  span: Span;
}
export interface DisplayCmd {
  kind: 'display';
  items: Projection[];
  span: Span;
}
export interface FilterCmd {
  kind: 'filter';
  keyword: 'filter' | 'where';
  condition: Expr;
  span: Span;
}
export interface FilterIndexCmd {
  kind: 'filterIndex';
  condition: Expr;
  span: Span;
}
export interface StatsCmd {
  kind: 'stats';
  aggregates: Projection[];
  groupBy: Projection[];
  /** `stats … by bin(p) offset 1h`: the time shift of the bins (spec §5.10). */
  offset?: DurationLit;
  span: Span;
}
export interface SortKey {
  field: Name;
  direction?: 'asc' | 'desc';
  span: Span;
}
export interface SortCmd {
  kind: 'sort';
  keys: SortKey[];
  span: Span;
}
/** `limit N`, `limit any N`, or the deprecated `head N`. */
export interface LimitCmd {
  kind: 'limit';
  count: number;
  any: boolean;
  span: Span;
}
export type ParseMode = 'glob' | 'regex' | 'logfmt' | 'csv';
export interface ParseCmd {
  kind: 'parse';
  /** The parsed field; undefined means @message. */
  source?: FieldRef;
  mode: ParseMode;
  /** glob: the pattern string; regex: the regex literal. Absent for logfmt/csv. */
  pattern?: StringLit | RegexLit;
  /** glob/csv/logfmt: the `as` names; regex: the named groups in order (names may start with @). */
  aliases: Name[];
  multi: boolean;
  span: Span;
}
export interface DedupCmd {
  kind: 'dedup';
  fields: Name[];
  span: Span;
}
export interface UnnestCmd {
  kind: 'unnest';
  source: Expr;
  into: Name;
  span: Span;
}
export interface ExpandCmd {
  kind: 'expand';
  field: Name;
  span: Span;
}
export interface FillMissingCmd {
  kind: 'fillmissing';
  fills: { value: Expr; field: Name }[];
  span: Span;
}
/** `pattern expr`: cluster the values of expr into patterns (spec §3.15). */
export interface PatternCmd {
  kind: 'pattern';
  source: Expr;
  span: Span;
}
/** `diff [previousDay|previousWeek|previousMonth]`, after pattern: compare with an earlier period. */
export interface DiffCmd {
  kind: 'diff';
  /** Absent: the period of equal length just before the query's. */
  period?: 'previousDay' | 'previousWeek' | 'previousMonth';
  span: Span;
}
/** `anomaly`, after pattern: the patterns whose frequency is anomalous, or that are new. */
export interface AnomalyCmd {
  kind: 'anomaly';
  span: Span;
}
/** A command that parses but is not supported yet (tier 3): the analyzer reports it by name. */
export interface UnsupportedCmd {
  kind: 'unsupported';
  name: string;
  text: string;
  span: Span;
}

export type Command =
  | FieldsCmd
  | DisplayCmd
  | FilterCmd
  | FilterIndexCmd
  | StatsCmd
  | SortCmd
  | LimitCmd
  | ParseCmd
  | DedupCmd
  | UnnestCmd
  | ExpandCmd
  | FillMissingCmd
  | PatternCmd
  | DiffCmd
  | AnomalyCmd
  | UnsupportedCmd;

// ---------------------------------------------------------------- query

/**
 * `SOURCE logGroups(namePrefix: [...], class: [...], accountIdentifiers: [...])`,
 * `SOURCE '/log/group'`, with optional `start=` / `end=` (kept as text).
 */
export interface SourceClause {
  kind: 'source';
  logGroupNames: string[];
  namePrefixes: string[];
  accountIdentifiers: string[];
  classes: string[];
  allLogGroups: boolean;
  start?: string;
  end?: string;
  span: Span;
}

export interface Query {
  kind: 'query';
  source?: SourceClause;
  commands: Command[];
  span: Span;
}
