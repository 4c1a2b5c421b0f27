/**
 * The one place that decides which engine runs a query: the CLI, the server and the reports
 * ask here, never an engine module directly. A new engine adds its name and constructor.
 *
 * `duckdb` reads the embedded store; `trino` and `athena` read the S3 delivery layout in place
 * (or the Parquet archive) through Trino's REST protocol or Athena's API; `cloudwatch` passes the
 * query to CloudWatch Logs. The remote engines are loaded only when chosen (the Athena and
 * CloudWatch SDKs are not read by a DuckDB query).
 */
import type { Store } from '../store/store.js';
import { BiError } from '../util/errors.js';
import { createDuckDbEngine } from './duckdb.js';
import type { QueryEngine } from './engine.js';
import { createTrinoEngine } from './trino/engine.js';
import { eventSource } from './trino/relation.js';
import { TrinoClient } from './trino/client.js';
import { DEFAULT_TRINO_TABLE } from './trino/table.js';
import { lazyEngine } from './lazy.js';
import type { EngineName, EngineSettings } from './settings.js';

export {
  ENGINE_NAMES,
  isEngineName,
  type AthenaSettings,
  type CloudWatchSettings,
  type EngineName,
  type EngineSettings,
  type TableSettings,
  type TrinoSettings,
} from './settings.js';

function need<T>(value: T | undefined, engine: EngineName, what: string): T {
  if (value === undefined) throw new BiError('INVALID_ARGUMENT', `The ${engine} engine needs ${what}.`);
  return value;
}

export function createEngine(store: Store | undefined, settings: EngineSettings = {}): QueryEngine {
  const { engine = 'duckdb', trino, athena, cloudwatch, rollups, ...opts } = settings;
  switch (engine) {
    case 'duckdb':
      return createDuckDbEngine(need(store, engine, 'a store (--db): it queries what was ingested'), {
        ...opts,
        ...(rollups !== undefined ? { rollups } : {}),
      });
    case 'trino': {
      const t = need(trino, engine, 'a Trino URL (--trino-url)');
      const runner = new TrinoClient({
        url: t.url,
        ...(t.user ? { user: t.user } : {}),
        ...(t.timeoutMs ? { timeoutMs: t.timeoutMs } : {}),
      });
      const table = t.table ?? DEFAULT_TRINO_TABLE;
      return createTrinoEngine({
        ...opts,
        name: 'trino',
        runner,
        source: eventSource(t, table),
      });
    }
    case 'athena': {
      const a = need(athena, engine, 'a workgroup (--workgroup)');
      return lazyEngine('athena', async () => (await import('./athena/engine.js')).createAthenaEngine(a, opts));
    }
    case 'cloudwatch': {
      const c = cloudwatch ?? {};
      return lazyEngine('cloudwatch', async () =>
        (await import('./cloudwatch/engine.js')).createCloudWatchEngine(c, opts),
      );
    }
    default: {
      const never: never = engine;
      throw new BiError('INVALID_ARGUMENT', `Unknown engine ${String(never)}.`);
    }
  }
}
