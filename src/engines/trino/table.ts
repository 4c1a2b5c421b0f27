/**
 * The table over the S3 delivery layout, read in place:
 * `<root>/AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/*.json.gz`.
 *
 * One definition (columns, partition keys, SerDe, projection properties) rendered twice:
 * `athenaDdl` prints the Hive DDL Athena takes (`CREATE EXTERNAL TABLE … TBLPROPERTIES`), and
 * `trinoDdl` the Trino SQL that creates the same metastore table (Trino cannot parse Hive DDL and
 * Athena accepts `CREATE TABLE … WITH (…)` only for Iceberg and CTAS, so one text for both does
 * not exist). Both end as the same metastore entry: the same Hive column types, the OpenX JSON
 * SerDe, and the same `projection.*` / `storage.location.template` parameters; the tests compare
 * the two through Trino's file metastore.
 *
 * Decisions (see README.md in this folder):
 * - Column names are the record's keys in lower case (Hive stores names lower-cased; the OpenX
 *   SerDe matches JSON keys case-insensitively), so `input.inputTokenCount` is `input.inputtokencount`.
 * - Nested objects with a known shape are ROW (struct); `requestMetadata` is MAP(varchar, varchar)
 *   (a string map by API contract). Request and response bodies are VARCHAR: the OpenX SerDe
 *   renders any JSON value under a string column back to JSON text, so the bodies of every model
 *   family (objects, stream-chunk arrays) read as JSON text for `json_extract_scalar`.
 * - `timestamp` stays VARCHAR (RFC 3339 text as logged): both engines parse it with
 *   `from_iso8601_timestamp`, and a text column cannot fail a whole scan on one odd value.
 * - Partitions are projected (no crawler, no MSCK): `log_account` and `log_region` are enums of
 *   the folders found, `log_hour` a date projection `yyyy/MM/dd/HH` by the hour from the first
 *   hour found to NOW, so `log_hour BETWEEN '2026/10/31/05' AND '2026/10/31/06'` reads two hours.
 */
import { BiError } from '../../util/errors.js';

/** A column type in the definition; rendered as Hive text (`struct<…>`) or Trino SQL (`row(…)`). */
export type ColumnType =
  'string' | 'bigint' | { readonly struct: readonly Field[] } | { readonly map: readonly [ColumnType, ColumnType] };

/** `key` is the JSON key as Bedrock writes it; the column name is its lower-case form. */
export interface Field {
  readonly key: string;
  readonly type: ColumnType;
}

/**
 * The record's fields (spec: bedrock-invocation-logs.md §1). Unconfirmed or shape-unknown fields
 * (performanceConfig, video outputs) are left out: a ROW over a value of another shape would fail
 * the scan, and an absent column costs nothing until someone needs it.
 */
export const RECORD_FIELDS: readonly Field[] = [
  { key: 'timestamp', type: 'string' },
  { key: 'accountId', type: 'string' },
  { key: 'region', type: 'string' },
  { key: 'requestId', type: 'string' },
  { key: 'operation', type: 'string' },
  { key: 'modelId', type: 'string' },
  { key: 'identity', type: { struct: [{ key: 'arn', type: 'string' }] } },
  {
    key: 'input',
    type: {
      struct: [
        { key: 'inputContentType', type: 'string' },
        { key: 'inputBodyJson', type: 'string' },
        { key: 'inputBodyS3Path', type: 'string' },
        { key: 'inputTokenCount', type: 'bigint' },
        { key: 'cacheReadInputTokenCount', type: 'bigint' },
        { key: 'cacheWriteInputTokenCount', type: 'bigint' },
      ],
    },
  },
  {
    key: 'output',
    type: {
      struct: [
        { key: 'outputContentType', type: 'string' },
        { key: 'outputBodyJson', type: 'string' },
        { key: 'outputBodyS3Path', type: 'string' },
        { key: 'outputTokenCount', type: 'bigint' },
      ],
    },
  },
  { key: 'inferenceRegion', type: 'string' },
  { key: 'errorCode', type: 'string' },
  { key: 'requestMetadata', type: { map: ['string', 'string'] } },
  { key: 'schemaType', type: 'string' },
  { key: 'schemaVersion', type: 'string' },
];

/** Partition keys, from the delivery path; named apart from the record's own accountId/region. */
export const PARTITION_ACCOUNT = 'log_account';
export const PARTITION_REGION = 'log_region';
export const PARTITION_HOUR = 'log_hour';
/** The `log_hour` format: the path's `YYYY/MM/DD/HH`, which also sorts as text in time order. */
export const HOUR_FORMAT = 'yyyy/MM/dd/HH';

/** The SerDe both engines read the records with (Trino calls it format OPENX_JSON). */
export const OPENX_SERDE = 'org.openx.data.jsonserde.JsonSerDe';

export const DEFAULT_TRINO_TABLE = 'hive.bedrock.invocations';
export const DEFAULT_ATHENA_TABLE = 'bedrock.invocations';

/** What a table over one delivery location needs to know. */
export interface DeliveryTable {
  /** The folder or URL above `AWSLogs/` (Bedrock's bucket + keyPrefix). */
  root: string;
  /** Account folders under AWSLogs/ (enum projection values). */
  accounts: readonly string[];
  /** Region folders under BedrockModelInvocationLogs/ (enum projection values). */
  regions: readonly string[];
  /** First hour of the projection range, `YYYY/MM/DD/HH`. */
  firstHour: string;
}

export function columnName(f: Field): string {
  return f.key.toLowerCase();
}

/** Hive type text, as Athena's DDL and the metastore write it: `struct<arn:string>`. */
export function hiveType(t: ColumnType): string {
  if (t === 'string' || t === 'bigint') return t;
  if ('struct' in t) return `struct<${t.struct.map((f) => `${columnName(f)}:${hiveType(f.type)}`).join(',')}>`;
  return `map<${hiveType(t.map[0])},${hiveType(t.map[1])}>`;
}

/** Trino SQL type: `row(arn varchar)`. */
export function trinoType(t: ColumnType): string {
  if (t === 'string') return 'varchar';
  if (t === 'bigint') return 'bigint';
  if ('struct' in t)
    return `row(${t.struct.map((f) => `${quoteTrino(columnName(f))} ${trinoType(f.type)}`).join(', ')})`;
  return `map(${trinoType(t.map[0])}, ${trinoType(t.map[1])})`;
}

const NAME = /^[a-z_][a-z0-9_]*$/;
/** Projection values go into comma-separated properties and paths: no commas, quotes or slashes. */
const FOLDER_VALUE = /^[A-Za-z0-9_-]+$/;
const HOUR_VALUE = /^\d{4}\/\d{2}\/\d{2}\/\d{2}$/;

/** `[catalog.]schema.table`, each part a lower-case identifier (Athena allows no other). */
export function parseTableName(
  text: string,
  parts: 2 | 3,
): { catalog?: string; schema: string; table: string; qualified: string } {
  const names = text.split('.');
  const shape = parts === 3 ? 'CATALOG.SCHEMA.TABLE' : 'DATABASE.TABLE';
  if (names.length !== parts || !names.every((n) => NAME.test(n)))
    throw new BiError(
      'INVALID_ARGUMENT',
      `--table must be ${shape} in lower-case letters, digits and underscores (got "${text}").`,
    );
  const [table, schema, catalog] = [...names].reverse();
  return { catalog, schema, table, qualified: names.join('.') };
}

/** The location with any trailing `/` or `/AWSLogs` removed: the root Bedrock writes under. */
export function deliveryRoot(location: string): string {
  let r = location.replace(/\/+$/, '');
  if (/(^|\/)AWSLogs$/.test(r)) r = r.replace(/\/?AWSLogs$/, '');
  return r;
}

function checkTable(t: DeliveryTable): void {
  if (t.accounts.length === 0 || t.regions.length === 0)
    throw new BiError(
      'LAYOUT_EMPTY',
      `No AWSLogs/<account>/BedrockModelInvocationLogs/<region>/ folders under ${t.root}; point --location at the folder above AWSLogs/, or name them with --accounts and --log-regions.`,
    );
  for (const v of [...t.accounts, ...t.regions])
    if (!FOLDER_VALUE.test(v))
      throw new BiError(
        'INVALID_ARGUMENT',
        `"${v}" is not an account or region folder name (letters, digits, - and _).`,
      );
  if (!HOUR_VALUE.test(t.firstHour))
    throw new BiError('INVALID_ARGUMENT', `The first hour must be YYYY/MM/DD/HH (got "${t.firstHour}").`);
}

function locationTemplate(dataRoot: string): string {
  return `${dataRoot}/\${${PARTITION_ACCOUNT}}/BedrockModelInvocationLogs/\${${PARTITION_REGION}}/\${${PARTITION_HOUR}}`;
}

/** The projection parameters as the metastore stores them (Athena's TBLPROPERTIES names). */
export function projectionProperties(t: DeliveryTable, dataRoot: string): [string, string][] {
  return [
    ['projection.enabled', 'true'],
    [`projection.${PARTITION_ACCOUNT}.type`, 'enum'],
    [`projection.${PARTITION_ACCOUNT}.values`, t.accounts.join(',')],
    [`projection.${PARTITION_REGION}.type`, 'enum'],
    [`projection.${PARTITION_REGION}.values`, t.regions.join(',')],
    [`projection.${PARTITION_HOUR}.type`, 'date'],
    [`projection.${PARTITION_HOUR}.format`, HOUR_FORMAT],
    [`projection.${PARTITION_HOUR}.range`, `${t.firstHour},NOW`],
    [`projection.${PARTITION_HOUR}.interval`, '1'],
    [`projection.${PARTITION_HOUR}.interval.unit`, 'HOURS'],
    ['storage.location.template', locationTemplate(dataRoot)],
  ];
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function quoteTrino(name: string): string {
  return `"${name}"`;
}

/**
 * The two tables over one delivery location. `records`: the typed table (one column per record
 * field, OpenX JSON SerDe) for SQL written by hand. `lines`: each record's JSON text as one column
 * (`line`), which the query engine reads: @message is that text with the bodies cut out, and any
 * field of the record, known or not, is a JSON path of it (src/engines/trino/relation.ts).
 * A JSON line never holds a raw \x01 (JSON escapes control characters), so the text format's
 * default field separator leaves the whole line in the one column.
 */
export type DeliveryTableKind = 'records' | 'lines';

export const LINE_COLUMN = 'line';
const LINES_SUFFIX = '_lines';

/** The lines table that goes with a records table name (`hive.bedrock.invocations_lines`). */
export function linesTableName(name: string): string {
  return `${name}${LINES_SUFFIX}`;
}

function athenaColumns(kind: DeliveryTableKind): string {
  if (kind === 'lines') return `  \`${LINE_COLUMN}\` string`;
  return RECORD_FIELDS.map((f) => `  \`${columnName(f)}\` ${hiveType(f.type)}`).join(',\n');
}

/** `CREATE EXTERNAL TABLE` for Athena (engine v3), over an s3:// root. */
export function athenaDdl(
  t: DeliveryTable,
  tableName = DEFAULT_ATHENA_TABLE,
  kind: DeliveryTableKind = 'records',
): string {
  if (!t.root.startsWith('s3://'))
    throw new BiError('INVALID_ARGUMENT', `Athena reads S3: --location must be s3://BUCKET/PREFIX (got "${t.root}").`);
  checkTable(t);
  const { qualified } = parseTableName(tableName, 2);
  const dataRoot = `${t.root}/AWSLogs`;
  const parts = [PARTITION_ACCOUNT, PARTITION_REGION, PARTITION_HOUR].map((p) => `  \`${p}\` string`).join(',\n');
  const props = projectionProperties(t, dataRoot)
    .map(([k, v]) => `  ${sqlString(k)} = ${sqlString(v)}`)
    .join(',\n');
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${kind === 'lines' ? linesTableName(qualified) : qualified} (`,
    athenaColumns(kind),
    `)`,
    `PARTITIONED BY (`,
    parts,
    `)`,
    kind === 'lines' ? `STORED AS TEXTFILE` : `ROW FORMAT SERDE ${sqlString(OPENX_SERDE)}`,
    `LOCATION ${sqlString(`${dataRoot}/`)}`,
    `TBLPROPERTIES (`,
    props,
    `)`,
  ].join('\n');
}

/**
 * Trino SQL for the same table: `CREATE SCHEMA IF NOT EXISTS` and `CREATE TABLE`. `root` is the
 * location as Trino's file system names it (`local:///…`, `s3://…`).
 */
export function trinoDdl(
  t: DeliveryTable,
  tableName = DEFAULT_TRINO_TABLE,
  kind: DeliveryTableKind = 'records',
): { schema: string; table: string; createSchema: string; createTable: string } {
  checkTable(t);
  const names = parseTableName(tableName, 3);
  const { catalog, schema } = names;
  const table = kind === 'lines' ? linesTableName(names.table) : names.table;
  const dataRoot = `${t.root}/AWSLogs`;
  const cols =
    kind === 'lines'
      ? [`  ${quoteTrino(LINE_COLUMN)} varchar`]
      : RECORD_FIELDS.map((f) => `  ${quoteTrino(columnName(f))} ${trinoType(f.type)}`);
  const enumColumn = (name: string, values: readonly string[]): string =>
    `  ${quoteTrino(name)} varchar WITH (partition_projection_type = 'enum', partition_projection_values = ARRAY[${values.map(sqlString).join(', ')}])`;
  cols.push(enumColumn(PARTITION_ACCOUNT, t.accounts));
  cols.push(enumColumn(PARTITION_REGION, t.regions));
  cols.push(
    `  ${quoteTrino(PARTITION_HOUR)} varchar WITH (partition_projection_type = 'date', partition_projection_format = ${sqlString(HOUR_FORMAT)}, partition_projection_range = ARRAY[${sqlString(t.firstHour)}, 'NOW'], partition_projection_interval = 1, partition_projection_interval_unit = 'HOURS')`,
  );
  const qualifiedSchema = `${quoteTrino(catalog ?? '')}.${quoteTrino(schema)}`;
  const qualifiedTable = `${qualifiedSchema}.${quoteTrino(table)}`;
  return {
    schema: `${catalog}.${schema}`,
    table: `${catalog}.${schema}.${table}`,
    createSchema: `CREATE SCHEMA IF NOT EXISTS ${qualifiedSchema}`,
    createTable: [
      `CREATE TABLE ${qualifiedTable} (`,
      cols.join(',\n'),
      `)`,
      `WITH (`,
      `  format = '${kind === 'lines' ? 'TEXTFILE' : 'OPENX_JSON'}',`,
      `  external_location = ${sqlString(dataRoot)},`,
      `  partitioned_by = ARRAY[${[PARTITION_ACCOUNT, PARTITION_REGION, PARTITION_HOUR].map(sqlString).join(', ')}],`,
      `  partition_projection_enabled = true,`,
      `  partition_projection_location_template = ${sqlString(locationTemplate(dataRoot))}`,
      `)`,
    ].join('\n'),
  };
}
