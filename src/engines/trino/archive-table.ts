/**
 * The tables over the Parquet archive `export` writes (src/archive/export.ts), rendered as Athena
 * DDL and as Trino SQL from one definition, like the delivery layout's (table.ts):
 *
 * - `<table>`: the events, one column per store column, partitioned by `day` (`YYYY-MM-DD`, a
 *   date projection from the archive's first day to NOW: no crawler, no MSCK);
 * - `<table>_fields` and `<table>_log_groups`: the catalog the query engine reads before it
 *   analyses a query (field names per log group, event counts), so FIELD_NEVER_SEEN warnings and
 *   statically missing fields work as on the store.
 */
import { resolve } from 'node:path';
import { ARCHIVE_COLUMNS, DAY_COLUMN, EVENTS_DIR, FIELDS_DIR, LOG_GROUPS_DIR } from '../../archive/export.js';
import type { AwsClientOptions } from '../../sources/aws.js';
import { BiError } from '../../util/errors.js';
import { localLister, s3Lister } from './layout.js';
import { parseTableName } from './table.js';

export const DEFAULT_TRINO_ARCHIVE = 'hive.bedrock.archive';
export const DEFAULT_ATHENA_ARCHIVE = 'bedrock.archive';
const DAY_FORMAT = 'yyyy-MM-dd';

export interface ArchiveLocation {
  /** The archive folder or s3:// URL (the one holding events/, fields/, log_groups/). */
  root: string;
  /** First day of the projection, YYYY-MM-DD. */
  firstDay: string;
}

const SIDE_TABLES = [
  {
    suffix: '_fields',
    dir: FIELDS_DIR,
    columns: [
      ['log_group', 'varchar'],
      ['field', 'varchar'],
      ['events', 'bigint'],
    ],
  },
  {
    suffix: '_log_groups',
    dir: LOG_GROUPS_DIR,
    columns: [
      ['name', 'varchar'],
      ['events', 'bigint'],
      ['generic_events', 'bigint'],
    ],
  },
] as const;

/** Finds the first day folder of an archive (`events/day=…`); `from` overrides it. */
export async function describeArchive(
  location: string,
  opts: { from?: string; aws?: AwsClientOptions } = {},
): Promise<ArchiveLocation> {
  const isS3 = location.startsWith('s3://');
  if (!isS3 && /^[a-z][a-z0-9+.-]*:\/\//i.test(location))
    throw new BiError('INVALID_ARGUMENT', `--archive must be a local folder or an s3:// URL (got "${location}").`);
  const root = isS3 ? location.replace(/\/+$/, '') : resolve(location);
  if (opts.from !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.from) || Number.isNaN(Date.parse(`${opts.from}T00:00:00Z`)))
      throw new BiError('INVALID_ARGUMENT', `--from must be a date YYYY-MM-DD (got "${opts.from}").`);
    return { root, firstDay: opts.from };
  }
  const list = isS3 ? s3Lister(root, opts.aws ?? {}) : localLister(root);
  const days = (await list(EVENTS_DIR)).filter((n) => /^day=\d{4}-\d{2}-\d{2}$/.test(n)).sort();
  if (days.length === 0)
    throw new BiError(
      'ARCHIVE_EMPTY',
      `No ${EVENTS_DIR}/day=YYYY-MM-DD/ folders under ${root}; write the archive first with: bedrock-insights export --out ${location}`,
    );
  return { root, firstDay: days[0].slice(4) };
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function hive(type: string): string {
  return type === 'varchar' ? 'string' : type;
}

function projection(root: string, firstDay: string): [string, string][] {
  return [
    ['projection.enabled', 'true'],
    [`projection.${DAY_COLUMN}.type`, 'date'],
    [`projection.${DAY_COLUMN}.format`, DAY_FORMAT],
    [`projection.${DAY_COLUMN}.range`, `${firstDay},NOW`],
    [`projection.${DAY_COLUMN}.interval`, '1'],
    [`projection.${DAY_COLUMN}.interval.unit`, 'DAYS'],
    ['storage.location.template', `${root}/${EVENTS_DIR}/${DAY_COLUMN}=\${${DAY_COLUMN}}`],
  ];
}

/** Athena DDL: the events table and its two catalog tables, statements separated by `;`. */
export function athenaArchiveDdl(a: ArchiveLocation, tableName = DEFAULT_ATHENA_ARCHIVE): string {
  if (!a.root.startsWith('s3://'))
    throw new BiError('INVALID_ARGUMENT', `Athena reads S3: --archive must be s3://BUCKET/PREFIX (got "${a.root}").`);
  const { qualified } = parseTableName(tableName, 2);
  const events = [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${qualified} (`,
    ARCHIVE_COLUMNS.map((c) => `  \`${c.name}\` ${c.hive}`).join(',\n'),
    `)`,
    `PARTITIONED BY (`,
    `  \`${DAY_COLUMN}\` string`,
    `)`,
    `STORED AS PARQUET`,
    `LOCATION ${sqlString(`${a.root}/${EVENTS_DIR}/`)}`,
    `TBLPROPERTIES (`,
    projection(a.root, a.firstDay)
      .map(([k, v]) => `  ${sqlString(k)} = ${sqlString(v)}`)
      .join(',\n'),
    `)`,
  ].join('\n');
  const sides = SIDE_TABLES.map((t) =>
    [
      `CREATE EXTERNAL TABLE IF NOT EXISTS ${qualified}${t.suffix} (`,
      t.columns.map(([n, ty]) => `  \`${n}\` ${hive(ty)}`).join(',\n'),
      `)`,
      `STORED AS PARQUET`,
      `LOCATION ${sqlString(`${a.root}/${t.dir}/`)}`,
    ].join('\n'),
  );
  return [events, ...sides].join(';\n\n');
}

/** Trino SQL for the same three tables (`root` as Trino names it: `local:///…`, `s3://…`). */
export function trinoArchiveDdl(
  a: ArchiveLocation,
  tableName = DEFAULT_TRINO_ARCHIVE,
): { schema: string; createSchema: string; tables: { table: string; create: string }[] } {
  const { catalog, schema, table } = parseTableName(tableName, 3);
  const q = (n: string) => `"${n}"`;
  const qualifiedSchema = `${q(catalog ?? '')}.${q(schema)}`;
  const name = (suffix: string) => ({
    plain: `${catalog}.${schema}.${table}${suffix}`,
    quoted: `${qualifiedSchema}.${q(table + suffix)}`,
  });
  const ev = name('');
  const events = [
    `CREATE TABLE ${ev.quoted} (`,
    [
      ...ARCHIVE_COLUMNS.map((c) => `  ${q(c.name)} ${c.trino}`),
      `  ${q(DAY_COLUMN)} varchar WITH (partition_projection_type = 'date', partition_projection_format = ${sqlString(DAY_FORMAT)}, partition_projection_range = ARRAY[${sqlString(a.firstDay)}, 'NOW'], partition_projection_interval = 1, partition_projection_interval_unit = 'DAYS')`,
    ].join(',\n'),
    `)`,
    `WITH (`,
    `  format = 'PARQUET',`,
    `  external_location = ${sqlString(`${a.root}/${EVENTS_DIR}`)},`,
    `  partitioned_by = ARRAY[${sqlString(DAY_COLUMN)}],`,
    `  partition_projection_enabled = true,`,
    `  partition_projection_location_template = ${sqlString(`${a.root}/${EVENTS_DIR}/${DAY_COLUMN}=\${${DAY_COLUMN}}`)}`,
    `)`,
  ].join('\n');
  const sides = SIDE_TABLES.map((t) => {
    const n = name(t.suffix);
    return {
      table: n.plain,
      create: [
        `CREATE TABLE ${n.quoted} (`,
        t.columns.map(([c, ty]) => `  ${q(c)} ${ty}`).join(',\n'),
        `)`,
        `WITH (format = 'PARQUET', external_location = ${sqlString(`${a.root}/${t.dir}`)})`,
      ].join('\n'),
    };
  });
  return {
    schema: `${catalog}.${schema}`,
    createSchema: `CREATE SCHEMA IF NOT EXISTS ${qualifiedSchema}`,
    tables: [{ table: ev.plain, create: events }, ...sides],
  };
}
