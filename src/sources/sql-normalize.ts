import type { DuckDBConnection } from '@duckdb/node-api';
import { MAX_JSON_DEPTH, textDepthExceeds } from '../logs/limits.js';
import { REJECT } from '../logs/reasons.js';
import { KEYS_SHOWN, REJECT_VALUE_CHARS } from '../logs/record.js';
import { TIMESTAMP_PATTERN } from '../logs/timestamp.js';
import { redactBodiesTextFields } from '../logs/redact-text.js';
import { SIG_SEP } from '../store/writer.js';

// The set-based twin of normalizeBedrockRecord (src/logs/record.ts): the same validation order,
// reject codes, hot-field extraction and event key, done by DuckDB over a staging
// table of record texts, so that bulk ingest parses JSON once, in C++, on both cores.
// test/sources/equivalence.test.ts checks both store the same thing. Change both together.
//
// Known, documented differences (inputs that AWS never writes):
// - a record with duplicate keys: DuckDB keeps the first value, JSON.parse the last (in
//   requestMetadata both entries are kept in the MAP, whose lookups return the first).
// Bodies are reduced before a record is staged (ChunkWriter.add, src/logs/redact-text.ts): the
// stored message is the staged text.

/** Columns of the staging table filled by the readers (one row per record text). */
export const STAGE_DDL = `CREATE OR REPLACE TEMP TABLE stage (
  rn INTEGER NOT NULL,     -- the record's position in the chunk (1-based): its key, unique
  fid INTEGER NOT NULL,    -- which file of the chunk (a chunk spans small files)
  ln BIGINT NOT NULL,      -- line of the record in its file (1-based), for reports only: the
                           -- records of a compact array or export share one line
  text VARCHAR NOT NULL,   -- the record as JSON text
  ev_ts BIGINT,            -- CloudWatch export: the event timestamp (@timestamp)
  ing_ts BIGINT,           -- CloudWatch export: the ingestion time
  stream VARCHAR,          -- CloudWatch export: the log stream name
  body_sig VARCHAR         -- the kept bodies' field names, joined by chr(31), when the writer
                           -- reduced them (stagedText); NULL: the signature says DEEP for them
)`;

/**
 * A record text as the writer stages it: its bodies reduced unless they are kept, and the kept
 * bodies' field names for `stage.body_sig` (null: the SQL signature says DEEP and the writer
 * flattens the stored message; always so with bodies kept). null: a body could not be read, the
 * record is malformed.
 */
export function stagedText(raw: string, keepBodies: boolean): { text: string; bodySig: string | null } | null {
  if (keepBodies) return { text: raw, bodySig: null };
  const r = redactBodiesTextFields(raw);
  if (r === null) return null;
  const names = r.bodyFields;
  // A name holding the separator would be split in two: such a record is flattened instead.
  const bodySig = names === null || names.some((n) => n.includes(SIG_SEP)) ? null : names.join(SIG_SEP);
  return { text: r.text, bodySig };
}

const MAPJ = `'"MAP(VARCHAR, JSON)"'`;
const SEP = `chr(31)`; // field separator inside the catalog signature
const DEEP = `chr(1) || 'DEEP'`; // the signature cannot say: flatten the message

/** SQL literal for a string. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Unquote a JSON string value (the common case without escapes needs no parse). */
function unq(v: string): string {
  return `CASE WHEN ${v} IS NULL OR NOT starts_with(${v}, '"') THEN NULL WHEN contains(${v}, '\\') THEN json_extract_string(${v}, '$') ELSE ${v}[2:-2] END`;
}
/** A present, non-null value that is not a JSON string. */
function notString(v: string): string {
  return `(${v} IS NOT NULL AND NOT starts_with(${v}, '"'))`;
}
function notObject(v: string): string {
  return `(${v} IS NOT NULL AND NOT starts_with(${v}, '{'))`;
}
/**
 * Token counts: a JSON number holding a non-negative safe integer (5.0 and 1e3 included, like
 * JSON.parse). Not a string, and not a boolean: DuckDB casts `true` to 1 (campaign F14).
 */
function badToken(v: string, d: string): string {
  return `(${v} IS NOT NULL AND (starts_with(${v}, '"') OR ${v} IN ('true', 'false') OR ${d} IS NULL OR ${d} < 0 OR ${d} <> floor(${d}) OR ${d} > 9007199254740991))`;
}
/** How a value that should be an object is named in a reason: its type (as jsonTypeOf in src/logs/reasons.ts). */
function typeOf(v: string): string {
  return `CASE json_type(${v}) WHEN 'ARRAY' THEN 'an array' WHEN 'VARCHAR' THEN 'a string' WHEN 'BOOLEAN' THEN 'a boolean'
    WHEN 'NULL' THEN 'null' ELSE 'a number' END`;
}
function token(d: string): string {
  return `CAST(${d} AS BIGINT)`;
}
/**
 * Catalog signature of one sub-object: its scalar field names, or DEEP when it nests further. The
 * member `body` (input.inputBodyJson, output.outputBodyJson) is left out when `body_sig` names its
 * fields instead.
 */
function subSignature(prefix: string, m: string, body?: string): string {
  const notBody = body === undefined ? '' : ` AND (body_sig IS NULL OR e.key <> ${sqlString(body)})`;
  return `array_to_string(list_transform(list_filter(map_entries(${m}), e -> e.value IS NOT NULL AND e.value NOT IN ('{}', '[]')${notBody}),
    e -> CASE WHEN starts_with(e.value, '{') OR starts_with(e.value, '[') THEN ${DEEP} ELSE ${sqlString(prefix + '.')} || e.key END), ${SEP})`;
}

export interface SqlNormalizeOptions {
  logGroup: string;
  defaultStream: string;
  ingestionTime: number;
  keepBodies: boolean;
}

/**
 * Builds `norm` from `stage`: one row per staged record with its reject code (NULL when valid),
 * the typed hot fields, the stored message, the event key and a catalog signature (`sig`: the
 * flattened field names joined by chr(31); rows whose structure is deeper carry `deep`, and the
 * caller flattens their message exactly).
 */
export function normalizeSql(o: SqlNormalizeOptions): string {
  const tsRe = sqlString(TIMESTAMP_PATTERN);
  const tsBad = `ts_s IS NULL OR NOT regexp_full_match(ts_s, ${tsRe}) OR ts_s < '1970' OR TRY_CAST(substr(ts_s, 1, 10) AS DATE) IS NULL`;
  // Each step is materialised with only the columns later steps need: DuckDB would otherwise
  // re-evaluate a CTE's expressions (the JSON parse first) at every reference.
  return `CREATE OR REPLACE TEMP TABLE norm AS
WITH p AS MATERIALIZED (
  SELECT rn, fid, ln, body_sig, try(json_transform(text, ${MAPJ})) AS m FROM stage
), r AS (
  SELECT rn, fid, ln, body_sig, m IS NULL AS unparsed,
    m['timestamp'] AS j_ts, m['schemaType'] AS j_st, m['accountId'] AS j_acct, m['region'] AS j_region,
    m['requestId'] AS j_rid, m['operation'] AS j_op, m['modelId'] AS j_model, m['inferenceRegion'] AS j_ireg,
    m['errorCode'] AS j_err, m['identity'] AS j_id, m['input'] AS j_in, m['output'] AS j_out, m['requestMetadata'] AS j_md,
    array_to_string(list_transform(list_filter(map_entries(m),
        e -> e.key NOT IN ('identity', 'input', 'output', 'requestMetadata') AND e.value IS NOT NULL AND e.value NOT IN ('{}', '[]')),
      e -> CASE WHEN starts_with(e.value, '{') OR starts_with(e.value, '[') THEN ${DEEP}
        WHEN starts_with(e.key, '@') THEN '@' || e.key ELSE e.key END), ${SEP}) AS sig_top,
    CASE WHEN m['timestamp'] IS NULL AND m['operation'] IS NULL AND m['modelId'] IS NULL AND m['requestId'] IS NULL
      AND m['schemaType'] IS NULL THEN array_to_string(map_keys(m)[1:${KEYS_SHOWN}], ', ') END AS top_keys
  FROM p
), s AS MATERIALIZED (
  SELECT rn, fid, ln, body_sig, unparsed, j_ts, j_st, j_acct, j_region, j_rid, j_op, j_model, j_ireg, j_err, sig_top, top_keys,
    j_md, ${notObject('j_id')} AS bad_id, ${notObject('j_in')} AS bad_in, ${notObject('j_out')} AS bad_out, ${notObject('j_md')} AS bad_md,
    CASE WHEN ${notObject('j_id')} THEN ${typeOf('j_id')} WHEN ${notObject('j_in')} THEN ${typeOf('j_in')}
      WHEN ${notObject('j_out')} THEN ${typeOf('j_out')} WHEN ${notObject('j_md')} THEN ${typeOf('j_md')} END AS bad_type,
    CASE WHEN starts_with(j_id, '{') THEN try(json_transform(j_id, ${MAPJ})) END AS m_id,
    CASE WHEN starts_with(j_in, '{') THEN try(json_transform(j_in, ${MAPJ})) END AS m_in,
    CASE WHEN starts_with(j_out, '{') THEN try(json_transform(j_out, ${MAPJ})) END AS m_out,
    CASE WHEN starts_with(j_md, '{') THEN try(json_transform(j_md, ${MAPJ})) END AS m_md
  FROM r
), t AS MATERIALIZED (
  SELECT rn, fid, ln, unparsed, j_ts, j_st, j_acct, j_region, j_rid, j_op, j_model, j_ireg, j_err, bad_id, bad_in, bad_out, bad_md,
    top_keys, bad_type,
    ${unq('j_ts')} AS ts_s, ${unq('j_op')} AS op, ${unq('j_model')} AS model, m_id['arn'] AS j_arn,
    m_in['inputTokenCount'] AS t_in, m_in['cacheReadInputTokenCount'] AS t_cr, m_in['cacheWriteInputTokenCount'] AS t_cw,
    m_out['outputTokenCount'] AS t_out,
    TRY_CAST(m_in['inputTokenCount'] AS DOUBLE) AS d_in, TRY_CAST(m_in['cacheReadInputTokenCount'] AS DOUBLE) AS d_cr,
    TRY_CAST(m_in['cacheWriteInputTokenCount'] AS DOUBLE) AS d_cw, TRY_CAST(m_out['outputTokenCount'] AS DOUBLE) AS d_out,
    list_filter(map_entries(m_md), e -> e.value IS NULL OR NOT starts_with(e.value, '"'))[1] AS md_bad,
    -- Valid rows have only string values in requestMetadata, so DuckDB's own cast unquotes them
    -- (10% of the normalisation faster than unquoting each entry in a lambda).
    CASE WHEN m_md IS NOT NULL THEN try(json_transform(j_md, '"MAP(VARCHAR, VARCHAR)"')) END AS md,
    concat_ws(${SEP}, nullif(sig_top, ''),
      nullif(${subSignature('identity', 'm_id')}, ''),
      nullif(${subSignature('input', 'm_in', 'inputBodyJson')}, ''),
      nullif(${subSignature('output', 'm_out', 'outputBodyJson')}, ''),
      nullif(body_sig, ''),
      -- Only valid rows keep sig, and their requestMetadata values are all strings: no filter needed.
      CASE WHEN cardinality(m_md) > 0 THEN 'requestMetadata.' || array_to_string(map_keys(m_md), ${SEP} || 'requestMetadata.') END) AS sig
  FROM s
), v AS MATERIALIZED (
  SELECT *,
    CASE
      WHEN unparsed THEN 'unparsed|'
      WHEN j_st IS NOT NULL AND j_st <> '"ModelInvocationLog"' THEN '${REJECT.SCHEMA_TYPE}|schemaType'
      WHEN top_keys IS NOT NULL THEN '${REJECT.NOT_RECORD}|'
      WHEN j_ts IS NULL THEN '${REJECT.MISSING}|timestamp'
      WHEN ${tsBad} THEN '${REJECT.TIMESTAMP}|timestamp'
      WHEN ${notString('j_acct')} THEN '${REJECT.NOT_STRING}|accountId'
      WHEN ${notString('j_region')} THEN '${REJECT.NOT_STRING}|region'
      WHEN ${notString('j_rid')} THEN '${REJECT.NOT_STRING}|requestId'
      WHEN ${notString('j_op')} THEN '${REJECT.NOT_STRING}|operation'
      WHEN ${notString('j_model')} THEN '${REJECT.NOT_STRING}|modelId'
      WHEN ${notString('j_ireg')} THEN '${REJECT.NOT_STRING}|inferenceRegion'
      WHEN ${notString('j_err')} THEN '${REJECT.NOT_STRING}|errorCode'
      WHEN op IS NULL OR op = '' THEN '${REJECT.MISSING}|operation'
      WHEN model IS NULL OR model = '' THEN '${REJECT.MISSING}|modelId'
      WHEN bad_id THEN '${REJECT.NOT_OBJECT_FIELD}|identity'
      WHEN ${notString('j_arn')} THEN '${REJECT.NOT_STRING}|identity.arn'
      WHEN bad_in THEN '${REJECT.NOT_OBJECT_FIELD}|input'
      WHEN ${badToken('t_in', 'd_in')} THEN '${REJECT.TOKEN}|input.inputTokenCount'
      WHEN ${badToken('t_cr', 'd_cr')} THEN '${REJECT.TOKEN}|input.cacheReadInputTokenCount'
      WHEN ${badToken('t_cw', 'd_cw')} THEN '${REJECT.TOKEN}|input.cacheWriteInputTokenCount'
      WHEN bad_out THEN '${REJECT.NOT_OBJECT_FIELD}|output'
      WHEN ${badToken('t_out', 'd_out')} THEN '${REJECT.TOKEN}|output.outputTokenCount'
      WHEN bad_md THEN '${REJECT.NOT_OBJECT_FIELD}|requestMetadata'
      WHEN md_bad IS NOT NULL THEN '${REJECT.METADATA_VALUE}|requestMetadata.' || md_bad.key
    END AS rj
  FROM t
), w AS (
  SELECT v.*, split_part(rj, '|', 1) AS reject, nullif(substr(rj, strpos(rj, '|') + 1), '') AS reject_field,
    -- The offending value, named in the reason (src/logs/reasons.ts); only for rejected rows.
    CASE WHEN rj IS NOT NULL THEN left(CASE
      WHEN starts_with(rj, '${REJECT.NOT_RECORD}|') THEN top_keys
      WHEN starts_with(rj, '${REJECT.METADATA_VALUE}|') THEN coalesce(CAST(md_bad.value AS VARCHAR), 'null')
      WHEN starts_with(rj, '${REJECT.NOT_OBJECT_FIELD}|') THEN bad_type
      WHEN starts_with(rj, '${REJECT.MISSING}|') THEN NULL
      ELSE CAST(CASE substr(rj, strpos(rj, '|') + 1)
        WHEN 'schemaType' THEN j_st WHEN 'timestamp' THEN j_ts WHEN 'accountId' THEN j_acct WHEN 'region' THEN j_region
        WHEN 'requestId' THEN j_rid WHEN 'operation' THEN j_op WHEN 'modelId' THEN j_model
        WHEN 'inferenceRegion' THEN j_ireg WHEN 'errorCode' THEN j_err WHEN 'identity.arn' THEN j_arn
        WHEN 'input.inputTokenCount' THEN t_in WHEN 'input.cacheReadInputTokenCount' THEN t_cr
        WHEN 'input.cacheWriteInputTokenCount' THEN t_cw WHEN 'output.outputTokenCount' THEN t_out END AS VARCHAR)
      END, ${REJECT_VALUE_CHARS}) END AS reject_value,
    stage.text, stage.ev_ts, stage.ing_ts, stage.stream,
    CASE WHEN rj IS NULL THEN stage.text END AS message
  FROM v JOIN stage USING (rn)
)
SELECT rn, fid, ln,
  CASE WHEN reject = 'unparsed' THEN CASE WHEN json_valid(text) THEN '${REJECT.NOT_OBJECT}' ELSE '${REJECT.MALFORMED_JSON}' END ELSE reject END AS reject,
  reject_field, reject_value,
  ${sqlString(o.logGroup)} AS log_group,
  coalesce(stream, ${sqlString(o.defaultStream)}) AS log_stream,
  coalesce(ev_ts, CASE WHEN reject IS NULL THEN epoch_ms(CAST(substr(ts_s, 1, 19) AS TIMESTAMP))
    + coalesce(TRY_CAST(rpad(substr(regexp_extract(ts_s, '\\.(\\d+)', 1), 1, 3), 3, '0') AS BIGINT), 0) END) AS ts,
  coalesce(ing_ts, ${Math.trunc(o.ingestionTime)}) AS ingestion_ts,
  CASE WHEN reject IS NULL THEN CASE WHEN j_rid IS NOT NULL AND j_rid <> '""' THEN ${unq('j_rid')} ELSE 'h:' || md5(message) END END AS event_key,
  'bedrock' AS kind,
  ${unq('j_acct')} AS account_id, ${unq('j_region')} AS region, ${unq('j_ireg')} AS inference_region,
  op AS operation, model AS model_id, ${unq('j_arn')} AS identity_arn, ${unq('j_rid')} AS request_id,
  ${unq('j_err')} AS error_code,
  CASE WHEN reject IS NULL THEN ${token('d_in')} END AS input_tokens,
  CASE WHEN reject IS NULL THEN ${token('d_out')} END AS output_tokens,
  CASE WHEN reject IS NULL THEN ${token('d_cr')} END AS cache_read_tokens,
  CASE WHEN reject IS NULL THEN ${token('d_cw')} END AS cache_write_tokens,
  CASE WHEN reject IS NULL THEN md END AS request_metadata,
  message,
  CASE WHEN reject IS NULL THEN sig END AS sig
FROM w`;
}

/**
 * The one rule of normalizeBedrockRecord that SQL cannot say: a record nested more than
 * MAX_JSON_DEPTH levels is rejected (REJECT.TOO_DEEP). Only rows whose structure nests (their
 * signature says DEEP) and that hold enough brackets can be that deep; those few are measured here.
 */
export async function rejectTooDeep(conn: DuckDBConnection): Promise<void> {
  const candidates = await conn.stream(`SELECT rn, message FROM norm WHERE reject IS NULL AND contains(sig, chr(1))
    AND length(message) - length(replace(replace(message, '{', ''), '[', '')) > ${MAX_JSON_DEPTH}`);
  const deep: number[] = [];
  for (;;) {
    const chunk = await candidates.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (const [rn, message] of chunk.getRows()) if (textDepthExceeds(String(message))) deep.push(Number(rn));
  }
  if (deep.length === 0) return;
  await conn.run(`UPDATE norm SET reject = '${REJECT.TOO_DEEP}', reject_field = NULL, reject_value = NULL, event_key = NULL, sig = NULL
    WHERE rn IN (${deep.join(', ')})`);
}

/**
 * DuckDB's JSON reader accepts NaN, Infinity and trailing commas, which JSON.parse (and so
 * PutLogEvents, the TypeScript normaliser and field discovery) refuses: one rule for every path,
 * RFC 8259's. The rows whose text could hold them (a cheap pattern, rarely matched by real records)
 * are parsed in Node, and those JSON.parse refuses are malformed.
 */
export async function rejectNonStandardJson(conn: DuckDBConnection): Promise<void> {
  const candidates = await conn.stream(`SELECT rn, message FROM norm WHERE reject IS NULL
    AND regexp_matches(message, '[:,\\[]\\s*[-+]?(?i:nan|inf)|,\\s*[}\\]]')`);
  const bad: number[] = [];
  for (;;) {
    const chunk = await candidates.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (const [rn, message] of chunk.getRows()) {
      try {
        JSON.parse(String(message));
      } catch {
        bad.push(Number(rn));
      }
    }
  }
  if (bad.length === 0) return;
  await conn.run(`UPDATE norm SET reject = '${REJECT.MALFORMED_JSON}', reject_field = NULL, reject_value = NULL, event_key = NULL, sig = NULL
    WHERE rn IN (${bad.join(', ')})`);
}

/** Fills `norm` from `stage`: the SQL rules, then the JSON grammar and depth rules. */
export async function normalizeStage(conn: DuckDBConnection, o: SqlNormalizeOptions): Promise<void> {
  await conn.run(normalizeSql(o));
  await rejectNonStandardJson(conn);
  await rejectTooDeep(conn);
}
