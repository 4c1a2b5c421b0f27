/**
 * The Trino dialect (also Athena engine v3's): the spelling of the shared lowering (../lower.ts)
 * for an events relation with the store's column names (./columns.ts). The relation itself — a
 * table, or a view computing those columns over the S3 delivery layout — and its partition
 * conditions come from the engine (src/engines/trino/relation.ts), so one dialect serves every
 * table a Trino engine reads. This folder is the only Trino-specific part of the query language.
 */
import type { Plan } from '../../plan.js';
import type { CompiledQuery, CompileOptions, Dialect, ScanRange } from '../dialect.js';
import { lowerPlan } from '../lower.js';
import { AGGREGATES } from './aggregates.js';
import { COLUMNS } from './columns.js';
import { FUNCTIONS } from './functions.js';
import { jsonField, messageField, unnestList, type MessageJson } from './json.js';
import { countsJson, patternLabel, patternTemplate } from './pattern.js';
import {
  anchored,
  naturalKey,
  numberLiteral,
  numberText,
  quoteIdent,
  quoteString,
  regexFullMatch,
  tryCast,
} from './text.js';
import { ceilTime, floorTime, timeSeries, timeText } from './time.js';

/** What a Trino engine's events relation is: the FROM item and what the lowering must know of it. */
export interface TrinoRelation {
  /** A table name or a parenthesised subquery with an alias, holding the columns of ./columns.ts. */
  table: string;
  /** Partition conditions for a scanned range (an hour or day folder), on the relation's own columns. */
  pruneScan(scan: ScanRange): string[];
  /**
   * Where @message's JSON fields are read: `message`, or a column with the whole record when
   * @message is computed (cheaper to read fields from), with the paths @message does not hold.
   */
  messageJson?: MessageJson;
}

export function trinoDialect(relation: TrinoRelation): Dialect {
  const mj: MessageJson = relation.messageJson ?? { source: COLUMNS.message };
  return {
    name: 'trino',
    ident: quoteIdent,
    string: quoteString,
    number: numberLiteral,
    cast: (sql, type) => `CAST(${sql} AS ${type})`,
    tryCast,
    finite: (sql) => `(CASE WHEN is_finite(${sql}) THEN ${sql} END)`,
    fail: (message) => `fail(${quoteString(message)})`,
    table: relation.table,
    column: (field) => COLUMNS[field],
    hotColumn: (field) => field.column,
    pruneScan: (scan) => relation.pruneScan(scan),
    // element_at: a missing key is NULL (the subscript m['k'] fails the query).
    metadata: (key) => `element_at(request_metadata, ${quoteString(key)})`,
    messageField: (x, path, guard) => messageField(x, mj, path, guard),
    jsonField,
    numberText,
    timeText,
    naturalKey,
    regex: quoteString,
    regexFullMatch,
    regexExtract: (sql, re, group) => `coalesce(regexp_extract(${sql}, ${re}, ${group}), '')`,
    regexMatches: (sql, re) =>
      `(CASE WHEN cardinality(regexp_extract_all(${sql}, ${re})) = 0 THEN ARRAY[CAST(NULL AS VARCHAR)] ELSE regexp_extract_all(${sql}, ${re}) END)`,
    floorTime,
    ceilTime,
    timeSeries,
    // A long expression is bound once to a lambda parameter, so nested functions do not grow the
    // statement exponentially.
    bindOnce: (sql, name, body) => `transform(ARRAY[${sql}], ${name} -> ${body})[1]`,
    // No in-select unnest in Trino: a lateral UNNEST joined to the relation.
    unnest: (from, list, alias) => ({ from: `${from} CROSS JOIN UNNEST(${list}) AS __u(${alias})`, select: '*' }),
    unnestList,
    // No `* EXCLUDE`: the helper columns stay (only limit may follow dedup, and the final select names its columns).
    starExcept: () => '*',
    patternTemplate,
    patternLabel,
    countsJson,
    functions: FUNCTIONS,
    aggregates: AGGREGATES,
  };
}

/** The relation the golden SQL is written against: a plain table with no partitions. */
export const PLAIN_EVENTS: TrinoRelation = { table: 'events', pruneScan: () => [] };

/** Compile a plan to Trino SQL over `relation`. */
export function compileTrino(plan: Plan, opts: CompileOptions & { relation: TrinoRelation }): CompiledQuery {
  return lowerPlan(plan, trinoDialect(opts.relation), opts);
}

export { anchored };
export type { MessageJson };
