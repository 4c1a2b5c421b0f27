/**
 * The events relation a Trino (or Athena) engine reads: the columns of the embedded store's
 * `events` table (src/insights/sql/trino/columns.ts), from one of two sources.
 *
 * - `delivery`: the S3 delivery layout read in place, through its lines table (table.ts). A view
 *   computes the store's columns from each record's JSON text exactly as ingest would: the typed
 *   fields by their exact JSON keys, `@timestamp` from the record's RFC 3339 `timestamp` (the
 *   fraction truncated to ms), @message = the text with `input.inputBodyJson` and
 *   `output.outputBodyJson` cut out (stripBodiesText of src/logs, byte for byte), and only the
 *   records the store would accept (a valid timestamp, an operation and a modelId). One log group
 *   (the one ingest would use), `@ingestionTime` = the delivery file's modification time, and no
 *   insertion order: ties in time are broken by file and requestId (`seq` is that text).
 * - `archive`: the Parquet archive written by `export` (src/archive), which holds the store's
 *   columns as they are, partitioned by day.
 *
 * Partition conditions: a range reads the hour folders from its start hour to its end hour plus
 * the delivery lag (a record is written to the folder of its delivery, up to an hour later), or
 * the archive's day folders.
 */
import type { ScanRange } from '../../insights/sql/dialect.js';
import type { TableSettings } from '../settings.js';
import type { TrinoRelation } from '../../insights/sql/trino/index.js';
import { jsonPath } from '../../insights/sql/trino/json.js';
import { quoteString } from '../../insights/sql/trino/text.js';
import { DEFAULT_LOG_GROUP, DEFAULT_LOG_STREAM } from '../../logs/event.js';
import { keptBodyField } from './kept-bodies.js';
import { LINE_COLUMN, PARTITION_HOUR, linesTableName } from './table.js';

export interface DeliverySource {
  kind: 'delivery';
  /** The records table name `catalog.schema.table` (`trino setup`'s); the engine reads its lines table. */
  table: string;
  /** The log group its records belong to (default /aws/bedrock/modelinvocations, as ingest). */
  logGroup?: string;
  /** Keep the bodies in @message (as ingest --keep-bodies); default cut out. */
  keepBodies?: boolean;
  /** Hours after its end hour a range still reads (records land in the folder of their delivery); default 1. */
  lagHours?: number;
}

export interface ArchiveSource {
  kind: 'archive';
  /** The archive's events table `catalog.schema.table` (`trino setup --archive`'s). */
  table: string;
}

export type EventSource = DeliverySource | ArchiveSource;

/** The source an engine's table settings name (`--table`, `--archive`, `--keep-bodies`). */
export function eventSource(t: TableSettings, table: string): EventSource {
  if (t.archive) return { kind: 'archive', table };
  return {
    kind: 'delivery',
    table,
    ...(t.logGroup ? { logGroup: t.logGroup } : {}),
    ...(t.keepBodies ? { keepBodies: true } : {}),
  };
}

const HOUR_MS = 3_600_000;

/** `YYYY/MM/DD/HH` of an epoch-ms instant (UTC), the delivery layout's hour folder. */
export function hourFolder(ms: number): string {
  const d = new Date(Math.floor(ms / HOUR_MS) * HOUR_MS).toISOString();
  return `${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/${d.slice(11, 13)}`;
}

/** `YYYY-MM-DD` of an epoch-ms instant (UTC), the archive's day partition. */
export function dayPartition(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Epoch ms a Date can hold: a range bound outside it reads every partition on that side. */
function representable(ms: number | undefined): ms is number {
  return ms !== undefined && Math.abs(ms) <= 8.64e15;
}

export function eventRelation(source: EventSource): TrinoRelation {
  return source.kind === 'delivery' ? deliveryRelation(source) : archiveRelation(source);
}

function archiveRelation(source: ArchiveSource): TrinoRelation {
  return {
    table: source.table,
    pruneScan: (scan: ScanRange) => {
      const w: string[] = [];
      if (representable(scan.startTime)) w.push(`day >= ${quoteString(dayPartition(scan.startTime))}`);
      if (representable(scan.endTime)) w.push(`day <= ${quoteString(dayPartition(scan.endTime))}`);
      return w;
    },
  };
}

const BODIES = [
  ['input', 'inputBodyJson'],
  ['output', 'outputBodyJson'],
] as const;

function deliveryRelation(source: DeliverySource): TrinoRelation {
  const lag = source.lagHours ?? 1;
  const logGroup = source.logGroup ?? DEFAULT_LOG_GROUP;
  const x = (...path: string[]) => `json_extract_scalar(${LINE_COLUMN}, ${quoteString(jsonPath(path))})`;
  const tokens = (obj: string, key: string) => `TRY_CAST(${x(obj, key)} AS BIGINT)`;
  const message = source.keepBodies
    ? LINE_COLUMN
    : BODIES.reduce((text, [obj, key]) => withoutBody(text, obj, key), LINE_COLUMN as string);
  // Inner: the text's fields; outer: what is computed from them, and the records ingest accepts.
  const inner = [
    LINE_COLUMN,
    `"$path" AS __file`,
    `"$file_modified_time" AS __mtime`,
    PARTITION_HOUR,
    `${x('timestamp')} AS __ts_text`,
    `${x('accountId')} AS account_id`,
    `${x('region')} AS region`,
    `${x('inferenceRegion')} AS inference_region`,
    `${x('operation')} AS operation`,
    `${x('modelId')} AS model_id`,
    `${x('identity', 'arn')} AS identity_arn`,
    `${x('requestId')} AS request_id`,
    `${x('errorCode')} AS error_code`,
    `${tokens('input', 'inputTokenCount')} AS input_tokens`,
    `${tokens('output', 'outputTokenCount')} AS output_tokens`,
    `${tokens('input', 'cacheReadInputTokenCount')} AS cache_read_tokens`,
    `${tokens('input', 'cacheWriteInputTokenCount')} AS cache_write_tokens`,
    `TRY_CAST(json_extract(${LINE_COLUMN}, '$["requestMetadata"]') AS MAP(VARCHAR, VARCHAR)) AS request_metadata`,
  ];
  const outer = [
    `__file || chr(10) || coalesce(request_id, to_hex(xxhash64(to_utf8(${LINE_COLUMN})))) AS seq`,
    `${quoteString(logGroup)} AS log_group`,
    `${quoteString(DEFAULT_LOG_STREAM)} AS log_stream`,
    `${recordMillis('__ts_text')} AS ts`,
    `CAST(round(to_unixtime(__mtime) * 1000) AS BIGINT) AS ingestion_ts`,
    `'bedrock' AS kind`,
    'account_id',
    'region',
    'inference_region',
    'operation',
    'model_id',
    'identity_arn',
    'request_id',
    'error_code',
    'input_tokens',
    'output_tokens',
    'cache_read_tokens',
    'cache_write_tokens',
    'request_metadata',
    // Cost is the store's pricing at ingest; a table read in place has none.
    ...['cost_input', 'cost_output', 'cost_cache_read', 'cost_cache_write', 'cost_total'].map(
      (c) => `CAST(NULL AS DOUBLE) AS ${c}`,
    ),
    'CAST(NULL AS VARCHAR) AS price_version',
    `${message} AS message`,
    LINE_COLUMN,
    PARTITION_HOUR,
  ];
  const valid = [`__ts_text IS NOT NULL`, `operation <> ''`, `model_id <> ''`];
  const table = `(SELECT * FROM (SELECT ${outer.join(', ')} FROM (SELECT ${inner.join(', ')} FROM ${linesTableName(source.table)}) WHERE ${valid.join(' AND ')}) WHERE ts IS NOT NULL) AS __events`;
  return {
    table,
    pruneScan: (scan: ScanRange) => {
      const w: string[] = [];
      if (representable(scan.startTime)) w.push(`${PARTITION_HOUR} >= ${quoteString(hourFolder(scan.startTime))}`);
      if (representable(scan.endTime))
        w.push(`${PARTITION_HOUR} <= ${quoteString(hourFolder(scan.endTime + lag * HOUR_MS))}`);
      return w;
    },
    messageJson: {
      source: LINE_COLUMN,
      ...(source.keepBodies ? {} : { read: (path, share) => keptBodyField(LINE_COLUMN, path, share) }),
    },
  };
}

/**
 * Epoch ms of an RFC 3339 `YYYY-MM-DDTHH:MM:SS[.fraction]Z` text, as src/logs/timestamp.ts reads
 * it: the fraction truncated to ms, a date that does not exist or a year before 1970 is NULL.
 */
function recordMillis(t: string): string {
  const whole = `CAST(to_unixtime(from_iso8601_timestamp(substr(${t}, 1, 19) || 'Z')) AS BIGINT) * 1000`;
  const frac = `coalesce(CAST(rpad(substr(regexp_extract(${t}, '\\.([0-9]+)Z$', 1), 1, 3), 3, '0') AS BIGINT), 0)`;
  return `(CASE WHEN regexp_like(${t}, '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$') AND substr(${t}, 1, 4) >= '1970' THEN TRY(${whole} + ${frac}) END)`;
}

/**
 * `text` with the member `key` of the top-level object `obj` removed, as stripBodiesText
 * (src/logs/strip-text.ts) removes it from compact JSON: `,"key":<value>` after another member,
 * `"key":<value>,` as the first one. The value's end: its length as `json_extract` prints it
 * (minified, key order kept) when that is exactly the text there, which holds for JSON as Bedrock
 * writes it; otherwise the text is walked token by token (strings, brackets, the rest) to the
 * bracket that closes it. Text that still holds a body key after the cut (spaces around the
 * colon, a pretty-printed record) is re-serialised from the parsed record without the bodies
 * (keys then sorted): a body never reaches @message.
 */
function withoutBody(text: string, obj: string, key: string): string {
  const t = '__t';
  const member = `"${key}":`;
  const k = member.length;
  const objStart = `strpos(${t}, ${quoteString(`"${obj}":{`)})`;
  const at = `(CASE WHEN ${objStart} > 0 AND strpos(substr(${t}, ${objStart}), ${quoteString(member)}) > 0 THEN ${objStart} - 1 + strpos(substr(${t}, ${objStart}), ${quoteString(member)}) ELSE 0 END)`;
  const printed = `json_format(json_extract(${t}, ${quoteString(jsonPath([obj, key]))}))`;
  const walked = `reduce(regexp_extract_all(substr(${t}, __p + ${k}), '"(?:[^"\\\\]|\\\\.)*"|[{}\\[\\],:]|[^"{}\\[\\],:]+'), CAST(ROW(0, 0, false) AS ROW(d integer, n integer, f boolean)), (__s, __k) -> CASE WHEN __s.f THEN __s ELSE CAST(ROW(__s.d + CASE WHEN __k IN ('{', '[') THEN 1 WHEN __k IN ('}', ']') THEN -1 ELSE 0 END, __s.n + length(__k), __s.d + CASE WHEN __k IN ('{', '[') THEN 1 WHEN __k IN ('}', ']') THEN -1 ELSE 0 END = 0) AS ROW(d integer, n integer, f boolean)) END, __s -> __s.n)`;
  const length = `(CASE WHEN substr(${t}, __p + ${k}, length(${printed})) = ${printed} THEN length(${printed}) ELSE ${walked} END)`;
  const end = `__p + ${k} + __n`;
  const cut = `substr(${t}, 1, CASE WHEN substr(${t}, __p - 1, 1) = ',' THEN __p - 2 ELSE __p - 1 END) || substr(${t}, CASE WHEN substr(${t}, __p - 1, 1) = ',' OR substr(${t}, ${end}, 1) <> ',' THEN ${end} ELSE ${end} + 1 END)`;
  const cutText = `transform(ARRAY[${at}], __p -> CASE WHEN __p = 0 THEN ${t} ELSE transform(ARRAY[${length}], __n -> ${cut})[1] END)[1]`;
  return `transform(ARRAY[${text}], ${t} -> transform(ARRAY[${cutText}], __c -> CASE WHEN strpos(__c, ${quoteString(member)}) = 0 THEN __c ELSE ${safeStrip(t, obj, key)} END)[1])[1]`;
}

/** The record parsed and printed again without `obj.key` (keys sorted): the cut's safe fallback. */
function safeStrip(t: string, obj: string, key: string): string {
  const m = `CAST(json_parse(${t}) AS MAP(VARCHAR, JSON))`;
  const inner = `CAST(map_filter(CAST(element_at(${m}, ${quoteString(obj)}) AS MAP(VARCHAR, JSON)), (__a, __b) -> __a <> ${quoteString(key)}) AS JSON)`;
  return `TRY(json_format(CAST(map_concat(${m}, map(ARRAY[${quoteString(obj)}], ARRAY[${inner}])) AS JSON)))`;
}
