/**
 * The settings of each engine and the engine names: a module of its own so that the engines
 * (which read their settings) and the factory (which loads the engines) do not import each other.
 */
import type { EngineOptions } from './query-engine.js';

export type EngineName = 'duckdb' | 'trino' | 'athena' | 'cloudwatch';
export const ENGINE_NAMES: readonly EngineName[] = ['duckdb', 'trino', 'athena', 'cloudwatch'];

/** Where a Trino or Athena engine reads: the delivery layout's tables, or the archive's. */
export interface TableSettings {
  /** The table name (`trino setup`'s or `athena ddl`'s); default the delivery layout's. */
  table?: string;
  /** The table is the Parquet archive (`export` + `trino setup --archive` / `athena ddl --archive`). */
  archive?: boolean;
  /** The log group records of the delivery layout are shown in (default /aws/bedrock/modelinvocations). */
  logGroup?: string;
  /** Read the delivery layout's request and response bodies whole (as ingest --keep-bodies); default what a store keeps. */
  keepBodies?: boolean;
  /** Query deadline in ms (default 5 minutes). */
  timeoutMs?: number;
}

export interface TrinoSettings extends TableSettings {
  url: string;
  user?: string;
}

export interface AthenaSettings extends TableSettings {
  workgroup: string;
  /** s3:// URL for results; default the workgroup's. */
  outputLocation?: string;
  region?: string;
  endpointUrl?: string;
  /** Data catalog (default AwsDataCatalog). */
  catalog?: string;
  /** Explicit credentials (tests); default the SDK's chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Poll interval of GetQueryExecution in ms (default 500). */
  pollMs?: number;
}

export interface CloudWatchSettings {
  region?: string;
  endpointUrl?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  timeoutMs?: number;
  pollMs?: number;
}

export interface EngineSettings extends EngineOptions {
  /** Default `duckdb`: the embedded store. */
  engine?: EngineName;
  trino?: TrinoSettings;
  athena?: AthenaSettings;
  cloudwatch?: CloudWatchSettings;
  /** duckdb: answer stats from the hourly roll-up where provably the same (default on; src/engines/duckdb.ts). */
  rollups?: boolean;
}

export function isEngineName(s: string): s is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(s);
}
