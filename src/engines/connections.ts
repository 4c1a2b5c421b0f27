/**
 * An engine connection as a person writes it: the CLI's flags (`query --engine trino --trino-url
 * …`) and the `engines` of serve's config file (server.json) use the same names, and both become
 * EngineSettings here, with the same checks and the same coded errors.
 */
import { ENGINE_NAMES, isEngineName, type EngineSettings } from './settings.js';
import { BiError } from '../util/errors.js';

/** Where a query runs and how to reach it (flag names in camelCase). */
export interface EngineFlags {
  engine?: string;
  trinoUrl?: string;
  table?: string;
  archive?: boolean;
  keepBodies?: boolean;
  workgroup?: string;
  outputLocation?: string;
  region?: string;
  endpointUrl?: string;
  timeout?: string;
}

function seconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new BiError('INVALID_ARGUMENT', `--timeout must be a number of seconds (got "${text}").`);
  return Math.round(n * 1000);
}

/** The engine settings of the flags; a flag of another engine is refused rather than ignored. */
export function engineSettings(f: EngineFlags): EngineSettings {
  const engine = f.engine ?? 'duckdb';
  if (!isEngineName(engine))
    throw new BiError('INVALID_ARGUMENT', `--engine ${engine}: use one of ${ENGINE_NAMES.join(', ')}.`);
  const timeoutMs = seconds(f.timeout);
  const used: Record<string, readonly string[]> = {
    duckdb: [],
    trino: ['trinoUrl', 'table', 'archive', 'keepBodies', 'timeout'],
    athena: ['workgroup', 'outputLocation', 'region', 'endpointUrl', 'table', 'archive', 'keepBodies', 'timeout'],
    cloudwatch: ['region', 'endpointUrl', 'timeout'],
  };
  const flagName = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  for (const k of [
    'trinoUrl',
    'table',
    'archive',
    'keepBodies',
    'workgroup',
    'outputLocation',
    'region',
    'endpointUrl',
    'timeout',
  ] as const)
    if (f[k] !== undefined && f[k] !== false && !used[engine].includes(k))
      throw new BiError('INVALID_ARGUMENT', `${flagName(k)} does not apply to --engine ${engine}.`);
  if (f.keepBodies && f.archive)
    throw new BiError(
      'INVALID_ARGUMENT',
      "--keep-bodies reads the delivery layout's bodies; the archive holds what the store kept (export a store ingested with --keep-bodies).",
    );
  const table = {
    ...(f.table ? { table: f.table } : {}),
    ...(f.archive ? { archive: true } : {}),
    ...(f.keepBodies ? { keepBodies: true } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
  };
  switch (engine) {
    case 'duckdb':
      return { engine };
    case 'trino':
      if (!f.trinoUrl)
        throw new BiError(
          'INVALID_ARGUMENT',
          '--engine trino needs --trino-url (see `npx bedrock-insights trino start`).',
        );
      return {
        engine,
        trino: {
          url: f.trinoUrl,
          ...table,
        },
      };
    case 'athena':
      if (!f.workgroup) throw new BiError('INVALID_ARGUMENT', '--engine athena needs --workgroup.');
      if (f.outputLocation !== undefined && !f.outputLocation.startsWith('s3://'))
        throw new BiError('INVALID_ARGUMENT', `--output-location must be an s3:// URL (got "${f.outputLocation}").`);
      return {
        engine,
        athena: {
          workgroup: f.workgroup,
          ...(f.outputLocation ? { outputLocation: f.outputLocation } : {}),
          ...(f.region ? { region: f.region } : {}),
          ...(f.endpointUrl ? { endpointUrl: f.endpointUrl } : {}),
          ...table,
        },
      };
    case 'cloudwatch':
      return {
        engine,
        cloudwatch: {
          ...(f.region ? { region: f.region } : {}),
          ...(f.endpointUrl ? { endpointUrl: f.endpointUrl } : {}),
          ...(timeoutMs ? { timeoutMs } : {}),
        },
      };
  }
}

/** The name of the embedded engine (the store), always available beside the configured ones. */
export const LOCAL_ENGINE = 'duckdb';
const CONNECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const FLAG_KEYS = new Set([
  'engine',
  'trinoUrl',
  'table',
  'archive',
  'keepBodies',
  'workgroup',
  'outputLocation',
  'region',
  'endpointUrl',
  'timeout',
]);

/**
 * The `engines` of serve's config file: named connections, each written as the flags would be
 * (`{"trino": {"engine": "trino", "trinoUrl": "http://…", "table": "hive.bedrock.invocations"}}`).
 * The console offers the names; nobody picks a URL from a browser.
 */
export function engineConnections(value: unknown, source: string): Map<string, EngineSettings> {
  const out = new Map<string, EngineSettings>();
  if (value === undefined) return out;
  const bad = (what: string): BiError => new BiError('CONFIG_INVALID', `${source}: "engines" ${what}`);
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw bad(
      'must be an object of named connections, e.g. {"trino": {"engine": "trino", "trinoUrl": "http://127.0.0.1:8080"}}.',
    );
  for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
    if (!CONNECTION_NAME.test(name) || name === LOCAL_ENGINE)
      throw bad(`has the name "${name}": use letters, digits, . _ - (and not "${LOCAL_ENGINE}", the store).`);
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw bad(`.${name} must be an object.`);
    const flags: Record<string, string | boolean> = {};
    for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
      if (!FLAG_KEYS.has(k)) throw bad(`.${name} has the unknown key "${k}" (known: ${[...FLAG_KEYS].join(', ')}).`);
      if (k === 'archive' || k === 'keepBodies') flags[k] = v === true;
      else if (typeof v === 'string' || typeof v === 'number') flags[k] = String(v);
      else throw bad(`.${name}.${k} must be a string.`);
    }
    try {
      out.set(name, engineSettings(flags));
    } catch (e) {
      throw bad(`.${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out;
}

/** What the console may show of a connection: its engine and where it reads, never credentials. */
export function describeConnection(s: EngineSettings): string {
  switch (s.engine) {
    case 'trino':
      return `Trino ${s.trino?.url ?? ''} ${s.trino?.table ?? ''}`.trim();
    case 'athena':
      return `Athena workgroup ${s.athena?.workgroup ?? ''}${s.athena?.region ? ` (${s.athena.region})` : ''}`;
    case 'cloudwatch':
      return `CloudWatch Logs${s.cloudwatch?.region ? ` ${s.cloudwatch.region}` : ''}`;
    default:
      return 'The local store';
  }
}
