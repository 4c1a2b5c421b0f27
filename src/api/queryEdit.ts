import type { Command, Query } from '../insights/ast.js';
import { parseQuery } from '../insights/parser.js';
import { BiError } from '../util/errors.js';
import type { QueryEdit } from '../contracts/wire.js';

/**
 * Text edits of a Logs Insights query that the console's buttons make ("add to fields", "filter
 * by this value", "stats by"), and the row-level prefix of a query that its histogram and field
 * coverage count over. Edits are made on the text, at the places the parser's spans give, so the
 * rest of the query stays as the user wrote it.
 */

export type { QueryEdit };

/**
 * Commands that keep each event as one row (they filter, or add and rename fields): the events a
 * query "matches" are those that come out of its leading run of these. `stats`, `sort`, `limit`,
 * `dedup`, `display` and the commands that fan rows out end it.
 */
const ROW_LEVEL: ReadonlySet<Command['kind']> = new Set(['fields', 'filter', 'filterIndex', 'parse']);

function isEmpty(text: string): boolean {
  return text.split('\n').every((l) => /^\s*(#.*)?$/.test(l));
}

/** Parse, or say why not (the console shows the editor's diagnostics; this is the API's answer). */
function parsed(text: string): Query {
  const r = parseQuery(text);
  if (!r.query) {
    const d = r.diagnostics[0];
    throw new BiError(
      'QUERY_INVALID',
      d ? `The query does not parse: ${d.message}` : 'The query does not parse; fix it in the editor first.',
      d ? { diagnostics: r.diagnostics } : undefined,
    );
  }
  return r.query;
}

/** The leading row-level commands of a query, and where they end in its text. */
export interface RowPrefix {
  /** The text up to the end of the last leading row-level command (SOURCE and comments kept). */
  text: string;
  /** Where a command can go after the prefix (offset into the query text). */
  cut: number;
  /** True when the query has commands after the prefix (stats, sort, limit…). */
  rest: boolean;
}

export function rowPrefix(text: string): RowPrefix {
  // An empty query (or only comments) has no commands: every event matches.
  if (isEmpty(text)) return { text: '', cut: 0, rest: false };
  const q = parsed(text);
  let cut = q.source ? q.source.span.end : 0;
  let leading = true;
  let rest = false;
  for (const c of q.commands) {
    if (leading && ROW_LEVEL.has(c.kind)) cut = c.span.end;
    else {
      leading = false;
      rest = true;
    }
  }
  return { text: text.slice(0, cut), cut, rest };
}

/** `prefix | command`, or just the command when the prefix has no command or SOURCE. */
export function appendCommand(prefix: string, command: string): string {
  return prefix.trim() ? `${prefix.trimEnd()}\n| ${command}` : command;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'like', 'as', 'by', 'asc', 'desc']);

/** A field name as the query language reads it: bare when it can be, else in backticks. */
export function fieldText(name: string): string {
  if (/^@?[A-Za-z_][A-Za-z0-9_@]*(\.[A-Za-z0-9_@]+)*$/.test(name) && !KEYWORDS.has(name.toLowerCase())) return name;
  if (/[`\n]/.test(name))
    throw new BiError('INVALID_REQUEST', `The field name ${JSON.stringify(name)} cannot be quoted.`);
  return name.startsWith('@') ? `@\`${name.slice(1)}\`` : `\`${name}\``;
}

/** A value as a literal: numbers and booleans as such, text as a double-quoted string. */
function literal(v: string | number | boolean): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new BiError('INVALID_REQUEST', 'The value must be a finite number.');
    return String(v);
  }
  if (typeof v === 'boolean') return String(v);
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

function condition(e: QueryEdit, negate: boolean): string {
  const f = fieldText(e.field);
  if (e.value === undefined) return negate ? `not ispresent(${f})` : `ispresent(${f})`;
  if (e.value === null) return negate ? `ispresent(${f})` : `not ispresent(${f})`;
  return `${f} ${negate ? '!=' : '='} ${literal(e.value)}`;
}

/** Insert a command after the row-level prefix (before stats, sort, limit…). */
function insertAfterPrefix(text: string, command: string): string {
  if (isEmpty(text)) return text.trim() ? `${text.trimEnd()}\n${command}` : command;
  const q = parsed(text);
  const p = rowPrefix(text);
  const first = q.commands[0];
  if (p.cut === 0 && first) {
    // No row-level command and no SOURCE: the new command goes first (after any leading comment).
    return `${text.slice(0, first.span.start)}${command}\n| ${text.slice(first.span.start)}`;
  }
  if (!first && !q.source) return command;
  return `${text.slice(0, p.cut)}\n| ${command}${text.slice(p.cut)}`;
}

function addToFields(text: string, field: string): string {
  const f = fieldText(field);
  if (isEmpty(text)) return insertAfterPrefix(text, `fields @timestamp, @message, ${f}`);
  const q = parsed(text);
  const stats = q.commands.findIndex((c) => c.kind === 'stats');
  const fields = q.commands.filter((c, i) => c.kind === 'fields' && (stats < 0 || i < stats));
  const target = fields[fields.length - 1];
  if (target && target.kind === 'fields') {
    if (target.items.some((it) => !it.alias && it.text === f)) return text;
    return `${text.slice(0, target.span.end)}, ${f}${text.slice(target.span.end)}`;
  }
  // No fields command: the output was @timestamp and @message; keep them and add the field.
  return insertAfterPrefix(text, `fields @timestamp, @message, ${f}`);
}

function addToStatsBy(text: string, field: string): string {
  const f = fieldText(field);
  if (isEmpty(text)) return insertAfterPrefix(text, `stats count(*) as events by ${f}\n| sort events desc`);
  const q = parsed(text);
  const stats = q.commands.find((c) => c.kind === 'stats');
  if (stats && stats.kind === 'stats') {
    if (stats.groupBy.some((g) => !g.alias && g.text === f)) return text;
    const last = stats.groupBy[stats.groupBy.length - 1];
    const at = last ? last.span.end : stats.span.end;
    return `${text.slice(0, at)}${last ? ', ' : ' by '}${f}${text.slice(at)}`;
  }
  // A query without stats: count the matching events per value, most first (what follows the
  // row-level commands, such as `sort @timestamp`, no longer applies to the grouped rows).
  return appendCommand(rowPrefix(text).text, `stats count(*) as events by ${f}\n| sort events desc`);
}

/** Apply one console edit to a query's text. */
export function editQuery(text: string, e: QueryEdit): string {
  switch (e.op) {
    case 'fields':
      return addToFields(text, e.field);
    case 'filter':
      return insertAfterPrefix(text, `filter ${condition(e, false)}`);
    case 'exclude':
      return insertAfterPrefix(text, `filter ${condition(e, true)}`);
    case 'statsBy':
      return addToStatsBy(text, e.field);
  }
}
