/**
 * The DuckDB dialect: the spelling of the shared lowering (../lower.ts) for the embedded
 * store's `events` table (src/store/schema.ts). This folder is the only DuckDB-specific part
 * of the query language.
 */
import type { Plan } from '../../plan.js';
import type { CompiledQuery, CompileOptions, Dialect } from '../dialect.js';
import { lowerPlan } from '../lower.js';
import { AGGREGATES } from './aggregates.js';
import { COLUMNS } from './columns.js';
import { FUNCTIONS } from './functions.js';
import { jsonField, messageField, unnestList } from './json.js';
import { countsJson, patternLabel, patternTemplate } from './pattern.js';
import { naturalKey, numberLiteral, numberText, quoteIdent, quoteString } from './text.js';
import { ceilTime, floorTime, timeSeries, timeText } from './time.js';

export const duckdb: Dialect = {
  name: 'duckdb',
  ident: quoteIdent,
  string: quoteString,
  number: numberLiteral,
  cast: (sql, type) => `CAST(${sql} AS ${type})`,
  tryCast: (sql, type) => `TRY_CAST(${sql} AS ${type})`,
  finite: (sql) => `(CASE WHEN isfinite(${sql}) THEN ${sql} END)`,
  fail: (message) => `error(${quoteString(message)})`,
  table: 'events',
  column: (field) => COLUMNS[field],
  hotColumn: (field) => field.column,
  // One table, no partitions: the ts and log_group conditions are all there is.
  pruneScan: () => [],
  metadata: (key, column) => (column !== undefined ? quoteIdent(column) : `request_metadata[${quoteString(key)}]`),
  messageField,
  jsonField,
  numberText,
  timeText,
  naturalKey,
  regex: quoteString,
  regexFullMatch: (sql, re) => `regexp_full_match(${sql}, ${re})`,
  regexExtract: (sql, re, group) => `regexp_extract(${sql}, ${re}, ${group})`,
  regexMatches: (sql, re) =>
    `CASE WHEN len(regexp_extract_all(${sql}, ${re})) = 0 THEN [NULL] ELSE regexp_extract_all(${sql}, ${re}) END`,
  patternTemplate,
  patternLabel,
  countsJson,
  floorTime,
  ceilTime,
  timeSeries,
  // A long expression is bound once to a lambda parameter, so nested functions do not grow the
  // statement exponentially (DuckDB evaluates common subexpressions once anyway).
  bindOnce: (sql, name, body) => `list_transform([${sql}], ${name} -> ${body})[1]`,
  unnest: (from, list, alias) => ({ from, select: `*, unnest(${list}) AS ${alias}` }),
  unnestList,
  starExcept: (columns) => `* EXCLUDE (${columns.join(', ')})`,
  functions: FUNCTIONS,
  aggregates: AGGREGATES,
};

/** Compile a plan to DuckDB SQL. */
export function compileDuckDb(plan: Plan, opts: CompileOptions): CompiledQuery {
  return lowerPlan(plan, duckdb, opts);
}

export type { CompiledColumn, CompiledQuery, CompileOptions } from '../dialect.js';
