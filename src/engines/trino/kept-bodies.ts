/**
 * The request and response bodies as a default store keeps them (src/logs/bodies.ts), read from
 * each record's text in Trino SQL: the delivery layout holds whole bodies, and a table read in
 * place must show what an ingest without --keep-bodies would have kept (latency, usage, stop
 * reason, tool and guardrail markers) and nothing else (prompts, answers, any long string).
 *
 * A field is read by its path, so only the path's value is checked, not every body walked:
 * - a path the allow-list does not keep (`keptByDefault`) is missing;
 * - a kept path's value counts only if redactBody would keep it: a number, a boolean, or a string
 *   of at most MAX_KEPT_STRING characters;
 * - a streamed response (an array of chunks) is indexed as the store holds it: only the chunks
 *   that keep something, so `output.outputBodyJson.3` is the fourth such chunk, not the fourth
 *   chunk delivered. Whether a chunk keeps something is the allow-list unrolled into SQL for
 *   UNROLLED levels of the chunk (Bedrock's chunks keep nothing deeper than three); a usage or
 *   metrics object, or a part deeper than that (a guardrail trace), keeps something when its JSON
 *   text holds a scalar redactBody would keep (keepsAnyScalar). Each field that reads a chunk
 *   carries that test (about 10 KB of SQL), so such queries plan slower; other queries carry none.
 */
import { A, BODY_SPECS, CHUNK_FILLER, keptByDefault, MAX_KEPT_STRING, S, type Spec } from '../../logs/bodies.js';
import { jsonPath } from '../../insights/sql/trino/json.js';
import { quoteString } from '../../insights/sql/trino/text.js';

/** Levels of a recursive spec written out in SQL (each level is one lambda). */
const UNROLLED = 3;

/** SQL (BOOLEAN): the JSON value `v` is a scalar redactBody keeps (number, boolean, short string). */
export function keptScalar(v: string): string {
  return `coalesce(is_json_scalar(${v}) AND json_format(${v}) <> 'null' AND (NOT starts_with(json_format(${v}), '"') OR length(json_extract_scalar(${v}, '$')) <= ${MAX_KEPT_STRING}), false)`;
}

/**
 * SQL (BOOLEAN): some scalar anywhere in the JSON value `v` is one redactBody keeps (what A keeps
 * of a usage or metrics object): a number, true/false, or a string value (not a key) of at most
 * MAX_KEPT_STRING characters, an escape counted as its characters after the backslash.
 */
function keepsAnyScalar(v: string): string {
  const value = `(-?[0-9]|true|false|"([^"\\\\]|\\\\.){0,${MAX_KEPT_STRING}}"\\s*[,\\]}])`;
  return `(${keptScalar(v)} OR coalesce(regexp_like(json_format(${v}), '[\\[:,]\\s*${value}'), false))`;
}

/** The members (name, value) of a JSON object, or the elements (NULL, value) of an array; NULL for a scalar. */
function children(v: string, level: number): string {
  return `coalesce(TRY(map_entries(CAST(${v} AS MAP(VARCHAR, JSON)))), transform(TRY(CAST(${v} AS ARRAY(JSON))), __x${level} -> ROW(CAST(NULL AS VARCHAR), __x${level})))`;
}

/**
 * SQL (BOOLEAN): redactBody keeps something of the JSON value `v` under `spec`. Keys that share a
 * spec are tested together, and a spec whose elements and other keys are the same (a guardrail
 * trace) is written once per level, so the SQL grows with the depth, not exponentially.
 */
function keepsSomething(v: string, spec: Spec | undefined, level: number): string {
  if (spec === undefined || spec === null) return 'false';
  if (spec === S) return keptScalar(v);
  // Below the unrolled levels of a recursive part (a guardrail trace), any kept-looking scalar counts.
  if (spec === A || level >= UNROLLED) return keepsAnyScalar(v);
  const e = `__e${level}`;
  const next = (sub: Spec | undefined): string => keepsSomething(`${e}[2]`, sub, level + 1);
  const star = spec['*'];
  const byKey = new Map<Spec, string[]>();
  for (const [k, sub] of Object.entries(spec)) {
    if (k === '*' || k === '[]' || sub === undefined || sub === star) continue;
    byKey.set(sub, [...(byKey.get(sub) ?? []), k]);
  }
  const whens = [...byKey].map(
    ([sub, keys]) => `WHEN ${e}[1] IN (${keys.map(quoteString).join(', ')}) THEN ${next(sub)}`,
  );
  // An element's name is NULL: it falls through the key tests to ELSE when elements share the other keys' spec.
  if (spec['[]'] !== star) whens.unshift(`WHEN ${e}[1] IS NULL THEN ${next(spec['[]'])}`);
  return `coalesce(any_match(${children(v, level)}, ${e} -> CASE ${whens.join(' ')} ELSE ${next(star)} END), false)`;
}

/**
 * SQL (BOOLEAN): the streamed chunk `c` keeps something (significantChunk of src/logs/bodies.ts):
 * a key other than the filler keeps a value, a delta more than its type.
 */
function significantChunk(c: string): string {
  const { type: _type, ...delta } = BODY_SPECS.chunk.delta as Record<string, Spec>;
  const spec: Record<string, Spec | undefined> = { ...BODY_SPECS.chunk, delta };
  for (const k of CHUNK_FILLER) delete spec[k];
  const e = '__e0';
  const whens = Object.entries(spec).map(
    ([k, sub]) => `WHEN ${e}[1] = ${quoteString(k)} THEN ${keepsSomething(`${e}[2]`, sub, 1)}`,
  );
  return `coalesce(any_match(map_entries(TRY(CAST(${c} AS MAP(VARCHAR, JSON)))), ${e} -> CASE ${whens.join(' ')} ELSE false END), false)`;
}

/**
 * SQL (ARRAY(JSON)): the chunks of a streamed response that the store keeps, in order (NULL when
 * the response is not an array). Written into each field that reads a chunk, not into the
 * relation: every query over the layout would otherwise carry (and Trino analyse) its text.
 */
function keptChunks(line: string): string {
  return `filter(TRY(CAST(json_extract(${line}, ${quoteString(jsonPath(['output', 'outputBodyJson']))}) AS ARRAY(JSON))), __c -> ${significantChunk('__c')})`;
}

const BODY = /^(input\.inputBodyJson|output\.outputBodyJson)(\.|$)/;

/**
 * SQL (JSON) of the field at `path` of the record text `line` as a default store holds it, for a
 * path under a body; null when the store never keeps it (missing); undefined for any other path
 * (read as it is). `share` binds a long text once where it is used several times.
 */
export function keptBodyField(
  line: string,
  path: readonly (string | number)[],
  share: (sql: string, f: (x: string) => string) => string,
): string | null | undefined {
  const dotted = path.join('.');
  if (!BODY.test(dotted)) return undefined;
  if (!keptByDefault(dotted)) return null;
  let value: string;
  const [part, , index, ...rest] = path;
  // Segments are the field name's text: `3` in `output.outputBodyJson.3.type` is a chunk's position.
  if (part === 'output' && index !== undefined && /^\d+$/.test(String(index))) {
    const chunk = `element_at(${keptChunks(line)}, ${Number(index) + 1})`;
    value = rest.length === 0 ? chunk : `json_extract(${chunk}, ${quoteString(jsonPath(rest))})`;
  } else value = `json_extract(${line}, ${quoteString(jsonPath(path))})`;
  return share(value, (v) => `(CASE WHEN ${keptScalar(v)} THEN ${v} END)`);
}
