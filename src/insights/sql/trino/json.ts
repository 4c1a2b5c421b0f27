/**
 * Trino JSON access: discovered fields of @message, jsonParse values, and the JSON functions.
 *
 * Two Trino facts shape it: `json_extract` keeps the document's key order (it copies the value,
 * minified, numbers and escapes normalised), while `json_parse` and casts to JSON sort object keys;
 * and a failed parse is NULL in `json_extract`, an error in `json_parse` (hence `TRY`).
 */
import type { FunctionTable, Lower } from '../dialect.js';
import type { ValueKind } from '../../plan.js';
import { quoteString } from './text.js';

/** A JSON path in bracket form (`$["a.b"][0]`), so keys with dots, dashes or @ read as one key. */
export function jsonPath(path: readonly (string | number)[]): string {
  return (
    '$' +
    path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `["${String(p).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"]`))
      .join('')
  );
}

/**
 * A JSON value (SQL of type JSON) as a discovered-field value: strings unquoted, numbers as their
 * text, booleans 1/0, null/{}/[] missing; objects and arrays missing (discovery flattens them)
 * unless `keepContainers` (jsonParse values keep them as minified JSON text, key order kept).
 */
function jsonScalar(x: Lower, jSql: string, keepContainers: boolean): string {
  return x.share(`json_format(${jSql})`, (t) => {
    const container = keepContainers ? `(CASE WHEN ${t} IN ('{}', '[]') THEN NULL ELSE ${t} END)` : 'NULL';
    return `(CASE WHEN ${t} IS NULL OR ${t} = 'null' THEN NULL WHEN ${t} = 'true' THEN '1' WHEN ${t} = 'false' THEN '0' WHEN substr(${t}, 1, 1) IN ('{', '[') THEN ${container} WHEN substr(${t}, 1, 1) = '"' THEN json_extract_scalar(${t}, '$') ELSE ${t} END)`;
  });
}

/** Where @message's JSON fields are read, and the paths the relation reads its own way. */
export interface MessageJson {
  /** The column holding the record's JSON text (the message, or the raw record). */
  source: string;
  /**
   * The value (SQL of type JSON) of a path the relation reads its own way, null when it is always
   * missing, undefined to read the path from `source` (the bodies of a record read in place are
   * reduced to what the store keeps: src/engines/trino/kept-bodies.ts).
   */
  read?: (path: readonly (string | number)[], share: Lower['share']) => string | null | undefined;
}

export function messageField(x: Lower, m: MessageJson, path: readonly (string | number)[], guard: boolean): string {
  const own = m.read?.(path, (sql, f) => x.share(sql, f));
  if (own === null) return 'CAST(NULL AS VARCHAR)';
  if (own !== undefined) return jsonScalar(x, own, false);
  const p = quoteString(jsonPath(path));
  const src = m.source;
  if (!guard) return jsonScalar(x, `json_extract(${src}, ${p})`, false);
  // A text line's first embedded JSON object (`… Job info: {…}`) is read.
  const fragment = `(CASE WHEN starts_with(${src}, '{') THEN ${src} ELSE substr(${src}, strpos(${src}, '{'), length(${src}) - strpos(${src}, '{') - strpos(reverse(${src}), '}') + 2) END)`;
  return jsonScalar(x, `json_extract(${fragment}, ${p})`, false);
}

export function jsonField(x: Lower, src: string, path: readonly (string | number)[]): string {
  return jsonScalar(x, `json_extract(${src}, ${quoteString(jsonPath(path))})`, true);
}

/** A JSON array's elements as an ARRAY(JSON) (key order kept), NULL when the text is not a JSON array. */
function jsonArray(src: string): string {
  return `TRY(CAST(json_extract(${src}, '$') AS ARRAY(JSON)))`;
}

export function unnestList(x: Lower, src: string, kind: ValueKind): string {
  if (kind !== 'json' && kind !== 'string') return `ARRAY[CAST(${src} AS VARCHAR)]`;
  return x.share(
    src,
    (v) =>
      `(CASE WHEN ${v} IS NULL THEN ARRAY[CAST(NULL AS VARCHAR)] WHEN ${jsonArray(v)} IS NOT NULL THEN transform(${jsonArray(v)}, __e -> ${jsonScalar(x, '__e', true)}) ELSE ARRAY[${v}] END)`,
  );
}

/** JSON text with the original key order: `json_extract(t, '$')` (json_parse would sort the keys). */
function json(src: string): string {
  return `json_format(json_extract(${src}, '$'))`;
}

/** True when the text is a JSON object or array with something in it. */
function isFilledContainer(v: string): string {
  return `(regexp_like(${v}, '^\\s*[\\[{]') AND TRY(json_parse(${v})) IS NOT NULL AND NOT regexp_like(${v}, '^\\s*(\\{\\s*\\}|\\[\\s*\\])\\s*$'))`;
}

export const JSON_FUNCTIONS: Pick<
  FunctionTable,
  'jsonparse' | 'jsonstringify' | 'jsonarraysize' | 'jsonarraycontains' | 'split' | 'logfmt'
> = {
  // Only objects and arrays with something in them are maps/lists; anything else is missing.
  jsonparse: (c) => c.x.share(c.s(0), (v) => `(CASE WHEN ${isFilledContainer(v)} THEN ${json(v)} END)`),
  jsonstringify: (c) =>
    c.args[0].kind === 'json'
      ? c.x.share(c.s(0), (v) => `(CASE WHEN TRY(json_parse(${v})) IS NOT NULL THEN ${json(v)} END)`)
      : `json_format(CAST(${c.v(0)} AS JSON))`,
  jsonarraysize: (c) => `cardinality(${jsonArray(c.s(0))})`,
  jsonarraycontains: (c) => {
    const needle =
      c.args[1].kind === 'number' ? `json_format(CAST(${c.n(1)} AS JSON))` : `json_format(CAST(${c.s(1)} AS JSON))`;
    return `coalesce(contains(transform(${jsonArray(c.s(0))}, __e -> json_format(__e)), ${needle}), FALSE)`;
  },
  split: (c) => `json_format(CAST(split(${c.s(0)}, ${c.s(1)}) AS JSON))`,
  logfmt: (c) =>
    c.x.share(
      `regexp_extract_all(${c.s(0)}, '[^\\s=]+=("[^"]*"|[^\\s]*)')`,
      (m) =>
        `(CASE WHEN cardinality(${m}) > 0 THEN TRY(json_format(CAST(map_from_entries(transform(${m}, __m -> ROW(split_part(__m, '=', 1), trim(BOTH '"' FROM substr(__m, strpos(__m, '=') + 1))))) AS JSON))) END)`,
    ),
};
