/**
 * The Athena engine: the Trino engine (src/engines/trino/engine.ts) over Athena's API. Athena
 * engine v3 is Trino, so the plan compiles with the same dialect; tables are named as Athena's
 * DDL names them (`database.table`, catalog AwsDataCatalog by default). Athena charges by the
 * byte scanned, so no second count query runs: `recordsMatched` of an event query is the rows it
 * returned, and `recordsScanned` is not reported (Athena gives bytes only).
 */
import type { QueryEngine } from '../engine.js';
import type { AthenaSettings } from '../settings.js';
import type { EngineOptions } from '../query-engine.js';
import { DEFAULT_ATHENA_ARCHIVE } from '../trino/archive-table.js';
import { createTrinoEngine } from '../trino/engine.js';
import { eventSource } from '../trino/relation.js';
import { DEFAULT_ATHENA_TABLE, parseTableName } from '../trino/table.js';
import { AthenaRunner } from './runner.js';

export function createAthenaEngine(s: AthenaSettings, opts: EngineOptions = {}): QueryEngine {
  const table = parseTableName(s.table ?? (s.archive ? DEFAULT_ATHENA_ARCHIVE : DEFAULT_ATHENA_TABLE), 2).qualified;
  return createTrinoEngine({
    ...opts,
    name: 'athena',
    runner: new AthenaRunner(s),
    countMatches: false,
    source: eventSource(s, table),
  });
}
