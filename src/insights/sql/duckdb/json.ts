/** DuckDB JSON access: discovered fields of @message, jsonParse values, and the JSON functions. */
import type { FunctionTable, Lower } from '../dialect.js';
import type { ValueKind } from '../../plan.js';
import { COLUMNS } from './columns.js';
import { quoteString } from './text.js';

const MESSAGE = COLUMNS.message;

function jsonPointer(path: readonly (string | number)[]): string {
  return '/' + path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

/**
 * A JSON value (SQL JSON/VARCHAR expression) as a discovered-field value: strings unquoted,
 * numbers as their text, booleans as 1/0, null/{}/[] missing; objects and arrays missing
 * (discovery flattens them) unless `keepContainers` (jsonParse values keep them as JSON text).
 */
function jsonScalar(x: Lower, jSql: string, keepContainers: boolean): string {
  return x.share(jSql, (j) => {
    const container = keepContainers
      ? `WHEN 'OBJECT' THEN (CASE WHEN CAST(${j} AS VARCHAR) = '{}' THEN NULL ELSE CAST(${j} AS VARCHAR) END) WHEN 'ARRAY' THEN (CASE WHEN CAST(${j} AS VARCHAR) = '[]' THEN NULL ELSE CAST(${j} AS VARCHAR) END)`
      : `WHEN 'OBJECT' THEN NULL WHEN 'ARRAY' THEN NULL`;
    return `(CASE json_type(${j}) WHEN 'VARCHAR' THEN json_extract_string(${j}, '$') WHEN 'BOOLEAN' THEN (CASE WHEN CAST(${j} AS VARCHAR) = 'true' THEN '1' ELSE '0' END) WHEN 'NULL' THEN NULL ${container} ELSE CAST(${j} AS VARCHAR) END)`;
  });
}

export function messageField(x: Lower, path: readonly (string | number)[], guard: boolean): string {
  const ptr = quoteString(jsonPointer(path));
  if (!guard) return jsonScalar(x, `json_extract(${MESSAGE}, ${ptr})`, false);
  // A text line's first embedded JSON object (`… Job info: {…}`) is read.
  const m = MESSAGE;
  const fragment = `(CASE WHEN starts_with(${m}, '{') THEN ${m} ELSE substr(${m}, strpos(${m}, '{'), length(${m}) - strpos(${m}, '{') - strpos(reverse(${m}), '}') + 2) END)`;
  return jsonScalar(x, `try(json_extract(${fragment}, ${ptr}))`, false);
}

export function jsonField(x: Lower, src: string, path: readonly (string | number)[]): string {
  return jsonScalar(x, `try(json_extract(${src}, ${quoteString(jsonPointer(path))}))`, true);
}

export function unnestList(x: Lower, src: string, kind: ValueKind): string {
  const other = kind === 'json' ? src : `CAST(${src} AS VARCHAR)`;
  return `(CASE WHEN ${src} IS NULL THEN [NULL] WHEN try(json_type(${src})) = 'ARRAY' THEN list_transform(CAST(json(${src}) AS JSON[]), x -> ${jsonScalar(x, 'x', true)}) ELSE [${other}] END)`;
}

export const JSON_FUNCTIONS: Pick<
  FunctionTable,
  'jsonparse' | 'jsonstringify' | 'jsonarraysize' | 'jsonarraycontains' | 'split' | 'logfmt'
> = {
  // Only objects and arrays with something in them are maps/lists; anything else is missing.
  jsonparse: (c) =>
    c.x.share(
      c.s(0),
      (v) =>
        `(CASE WHEN try(json_type(${v})) IN ('OBJECT', 'ARRAY') AND NOT regexp_full_match(${v}, '\\s*(\\{\\s*\\}|\\[\\s*\\])\\s*') THEN CAST(json(${v}) AS VARCHAR) END)`,
    ),
  jsonstringify: (c) =>
    c.args[0].kind === 'json' ? `CAST(try(json(${c.s(0)})) AS VARCHAR)` : `CAST(to_json(${c.v(0)}) AS VARCHAR)`,
  jsonarraysize: (c) => `(CASE WHEN try(json_type(${c.s(0)})) = 'ARRAY' THEN json_array_length(${c.s(0)}) END)`,
  jsonarraycontains: (c) => {
    const needle =
      c.args[1].kind === 'number' ? `CAST(to_json(${c.n(1)}) AS VARCHAR)` : `CAST(to_json(${c.s(1)}) AS VARCHAR)`;
    return `coalesce(CASE WHEN try(json_type(${c.s(0)})) = 'ARRAY' THEN list_contains(list_transform(CAST(json(${c.s(0)}) AS JSON[]), x -> CAST(x AS VARCHAR)), ${needle}) END, FALSE)`;
  },
  split: (c) => `CAST(to_json(string_split(${c.s(0)}, ${c.s(1)})) AS VARCHAR)`,
  logfmt: (c) => {
    const m = `regexp_extract_all(${c.s(0)}, '[^\\s=]+=("[^"]*"|[^\\s]*)')`;
    return `(CASE WHEN len(${m}) > 0 THEN CAST(try(to_json(map_from_entries(list_transform(${m}, m -> {k: split_part(m, '=', 1), v: trim(substr(m, strpos(m, '=') + 1), '"')})))) AS VARCHAR) END)`;
  },
};
