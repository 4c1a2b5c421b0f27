import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { BiError } from '../util/errors.js';
import type { Store } from '../store/store.js';
import { isRangeSpec, type RangeSpec } from '../contracts/range.js';
import { BEDROCK_FOLDER, queryPackDir, readQueryPack, type PackQuery } from './queryPack.js';
import { OPERATIONS_DASHBOARD_ID, OPERATIONS_DASHBOARD_NAME, operationsDashboardBody } from './operationsDashboard.js';
import {
  REFRESH_CHOICES,
  type Dashboard,
  type DashboardBody,
  type HistoryEntry,
  type QueryParameter,
  type RefreshChoice,
  type SavedQuery,
  type Widget,
  type WidgetView,
} from '../contracts/wire.js';

// The shapes the console reads over HTTP are defined once in contracts/wire.ts (the web console imports
// them from there too); they are re-exported so callers keep importing them from here.
export { REFRESH_CHOICES, BEDROCK_FOLDER, queryPackDir, readQueryPack };
export type {
  Dashboard,
  DashboardBody,
  HistoryEntry,
  QueryParameter,
  RangeSpec,
  RefreshChoice,
  SavedQuery,
  Widget,
  WidgetView,
};

/**
 * What people keep on the server besides events: saved queries (with folders), the query
 * history, and dashboards. One store, two views: the console and the CloudWatch-compatible API
 * (Put/Describe/DeleteQueryDefinition) read and write the same `saved_queries` table.
 *
 * These tables are created on open by `openDefinitions`, not by schema.ts: they are not part of
 * the events contract.
 */
export const DEFINITIONS_DDL: readonly string[] = [
  // name is the bare name; CloudWatch spells the folder into the name as "folder/name"
  // (see cloudWatchName). log_groups and parameters are JSON arrays as text.
  `CREATE TABLE IF NOT EXISTS saved_queries (
    id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    folder VARCHAR NOT NULL DEFAULT '',
    query_string VARCHAR NOT NULL,
    log_groups VARCHAR NOT NULL DEFAULT '[]',
    description VARCHAR NOT NULL DEFAULT '',
    parameters VARCHAR NOT NULL DEFAULT '[]',
    builtin BOOLEAN NOT NULL DEFAULT false,
    created_ts BIGINT NOT NULL,
    updated_ts BIGINT NOT NULL
  )`,
  // The engine a saved query runs on (a name of GET /api/engines); NULL is the store's. Added
  // after the first release: older stores get the column here.
  `ALTER TABLE saved_queries ADD COLUMN IF NOT EXISTS engine VARCHAR`,
  `CREATE TABLE IF NOT EXISTS query_history (
    id VARCHAR PRIMARY KEY,
    query_string VARCHAR NOT NULL,
    log_groups VARCHAR NOT NULL DEFAULT '[]',
    range_spec VARCHAR NOT NULL,
    run_ts BIGINT NOT NULL,
    status VARCHAR NOT NULL,
    records_matched BIGINT,
    row_count BIGINT,
    duration_ms BIGINT,
    error VARCHAR
  )`,
  // body: the Dashboard JSON (widgets, range, refresh) as text.
  `CREATE TABLE IF NOT EXISTS dashboards (
    id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    body VARCHAR NOT NULL,
    builtin BOOLEAN NOT NULL DEFAULT false,
    created_ts BIGINT NOT NULL,
    updated_ts BIGINT NOT NULL
  )`,
];

export const DEFAULT_DASHBOARD_ID = 'bedrock-usage';
/**
 * The revision of what a store was seeded with: the query pack (queryPack.ts PACK_REVISIONS) for
 * 2, the built-in "Bedrock operations" dashboard for 3.
 */
const SEED_REVISION = 3;
/** How many history entries are kept (oldest dropped first). */
export const HISTORY_LIMIT = 200;

export interface SavedQueryInput {
  name: string;
  folder?: string;
  queryString: string;
  logGroups?: string[];
  description?: string;
  parameters?: QueryParameter[];
  /** An engine name (GET /api/engines); '' or absent: the store's. */
  engine?: string;
}

export const WIDGET_VIEWS: readonly WidgetView[] = ['line', 'stackedArea', 'bar', 'pie', 'table', 'number'];

const TOKENS = 'input.inputTokenCount + output.outputTokenCount as Tokens';

/**
 * The guide's recommended dashboard (mission §11): its four widgets, and cost at a glance below the
 * first row (cost per day by model, and the share of tokens without a price, which that cost leaves out).
 */
export function defaultDashboardBody(): DashboardBody {
  const g = ['/aws/bedrock/modelinvocations'];
  return {
    range: { kind: 'relative', value: '1d' },
    refresh: 'off',
    totals: true,
    widgets: [
      {
        id: 'tokens-per-hour',
        title: 'Total token usage per hour',
        view: 'line',
        width: 12,
        height: 7,
        logGroups: g,
        queryString: `fields ${TOKENS}\n| stats sum(Tokens) as TotalTokens by bin(1h)`,
      },
      {
        id: 'share-per-application',
        title: 'Share of usage per application',
        view: 'pie',
        width: 12,
        height: 7,
        logGroups: g,
        queryString: `fields requestMetadata.application_name as Application,\n       ${TOKENS}\n| stats sum(Tokens) as TotalTokens by Application\n| sort TotalTokens desc`,
      },
      {
        id: 'cost-per-day-by-model',
        title: 'Cost per day by model (USD; unpriced tokens are not in it)',
        view: 'stackedArea',
        width: 16,
        height: 8,
        logGroups: g,
        queryString: 'filter ispresent(modelId)\n| stats sum(cost.total) as CostUSD by bin(1d), modelId',
      },
      {
        id: 'unpriced-share',
        title: 'Unpriced share of tokens (%)',
        view: 'number',
        width: 8,
        height: 8,
        logGroups: g,
        queryString:
          'filter ispresent(modelId)\n| stats sum(cost.unpricedTokens) as UnpricedTokens,\n        sum(input.inputTokenCount) + sum(output.outputTokenCount)\n        + sum(input.cacheReadInputTokenCount) + sum(input.cacheWriteInputTokenCount) as Tokens\n| fields UnpricedTokens * 100 / Tokens as UnpricedPct\n| display UnpricedPct',
      },
      {
        id: 'latest-requests',
        title: 'Latest 20 requests',
        view: 'table',
        width: 24,
        height: 11,
        logGroups: g,
        live: true,
        queryString:
          'fields @timestamp,\n       requestMetadata.application_name as Application,\n       requestMetadata.environment as Environment,\n       modelId,\n       input.inputTokenCount as InputTokens,\n       output.outputTokenCount as OutputTokens\n| sort @timestamp desc\n| limit 20',
      },
      {
        id: 'tokens-per-cost-center',
        title: 'Tokens per cost center',
        view: 'bar',
        width: 24,
        height: 7,
        logGroups: g,
        queryString: `fields requestMetadata.cost_center as CostCenter,\n       ${TOKENS}\n| stats sum(Tokens) as TotalTokens by CostCenter\n| sort TotalTokens desc`,
      },
    ],
  };
}

function packInput(q: PackQuery): SavedQueryInput {
  return {
    name: q.name,
    folder: q.folder,
    queryString: q.queryString,
    description: q.description,
    logGroups: q.logGroups,
  };
}

/** CloudWatch's spelling of a saved query's name: the folder joined with "/". */
export function cloudWatchName(q: Pick<SavedQuery, 'name' | 'folder'>): string {
  return q.folder ? `${q.folder}/${q.name}` : q.name;
}

/** The inverse of cloudWatchName: "a/b/c" is folder "a/b", name "c". */
export function splitCloudWatchName(full: string): { folder: string; name: string } {
  const i = full.lastIndexOf('/');
  if (i <= 0) return { folder: '', name: full };
  return { folder: full.slice(0, i), name: full.slice(i + 1) };
}

function str(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}
function num(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : Number(v);
}
function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}
function jsonArray<T>(v: unknown): T[] {
  try {
    const parsed: unknown = JSON.parse(str(v) || '[]');
    return Array.isArray(parsed) ? (parsed as T[]) : [];
  } catch {
    return [];
  }
}

function checkName(name: string, what: string): string {
  const n = name.trim();
  if (!n) throw new BiError('INVALID_NAME', `The ${what} needs a name.`);
  if (n.length > 255) throw new BiError('INVALID_NAME', `The ${what} name is longer than 255 characters; shorten it.`);
  return n;
}

function checkWidget(w: Widget, i: number): Widget {
  if (!w || typeof w !== 'object') throw new BiError('INVALID_DASHBOARD', `Widget ${i + 1} is not an object.`);
  if (typeof w.queryString !== 'string' || !w.queryString.trim())
    throw new BiError('INVALID_DASHBOARD', `Widget ${i + 1} has no query.`);
  if (!WIDGET_VIEWS.includes(w.view))
    throw new BiError(
      'INVALID_DASHBOARD',
      `Widget ${i + 1} has the unknown view "${String(w.view)}"; use one of ${WIDGET_VIEWS.join(', ')}.`,
    );
  const clamp = (v: unknown, lo: number, hi: number, d: number): number => {
    const n = Math.round(Number(v));
    return Number.isFinite(n) ? Math.min(hi, Math.max(lo, n)) : d;
  };
  const out: Widget = {
    id: typeof w.id === 'string' && w.id ? w.id : randomUUID(),
    title: typeof w.title === 'string' ? w.title : '',
    queryString: w.queryString,
    logGroups: Array.isArray(w.logGroups) ? w.logGroups.map(String) : [],
    view: w.view,
    width: clamp(w.width, 1, 24, 12),
    height: clamp(w.height, 1, 1000, 6),
  };
  if (w.live) out.live = true;
  if (typeof w.engine === 'string' && w.engine) out.engine = w.engine;
  return out;
}

export function checkDashboardBody(b: Partial<DashboardBody>): DashboardBody {
  const range: RangeSpec = isRangeSpec(b.range) ? b.range : { kind: 'relative', value: '1d' };
  const refresh: RefreshChoice = REFRESH_CHOICES.includes(b.refresh as RefreshChoice)
    ? (b.refresh as RefreshChoice)
    : 'off';
  const widgets = Array.isArray(b.widgets) ? b.widgets.map(checkWidget) : [];
  if (widgets.length > 500) throw new BiError('INVALID_DASHBOARD', 'A dashboard holds at most 500 widgets.');
  return { range, refresh, totals: Boolean(b.totals), widgets };
}

/**
 * Saved queries, history and dashboards over one store. Uses its own connection so that a long
 * query on the engine's connections never blocks saving a query.
 */
export class Definitions {
  private cache: SavedQuery[] = [];

  private constructor(private readonly conn: DuckDBConnection) {}

  static async open(store: Store, opts: { seed?: boolean; queryPack?: string } = {}): Promise<Definitions> {
    const conn = await store.connect();
    for (const stmt of DEFINITIONS_DDL) await conn.run(stmt);
    const d = new Definitions(conn);
    if (opts.seed !== false) await d.seed(opts.queryPack);
    await d.refreshCache();
    return d;
  }

  /**
   * Preload the user's queries and the default dashboard once per store (a marker in `meta`). A
   * store seeded before the pack's revisions (src/workspace/queryPack.ts) gets them applied to the
   * preloaded queries nobody has edited since (same title and text as the guide's); an edited or
   * deleted one is left as its owner left it.
   */
  private async seed(queryPack?: string): Promise<void> {
    const marker = await this.conn.runAndReadAll(`SELECT value FROM meta WHERE key = 'console_seeded'`);
    const pack = readQueryPack(queryPack);
    if (marker.getRows().length > 0) {
      await this.reviseSeeded(pack);
      return;
    }
    for (const q of pack) await this.insertSavedQuery(packInput(q), true);
    const now = Date.now();
    await this.conn.run(`INSERT INTO dashboards VALUES ($1, $2, $3, true, $4, $4) ON CONFLICT DO NOTHING`, [
      DEFAULT_DASHBOARD_ID,
      'Bedrock usage',
      JSON.stringify(defaultDashboardBody()),
      now,
    ]);
    await this.addOperationsDashboard();
    await this.conn.run(`INSERT INTO meta VALUES ('console_seeded', '1') ON CONFLICT DO NOTHING`);
    await this.conn.run(
      `INSERT INTO meta VALUES ('console_seed_revision', '${SEED_REVISION}') ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    );
  }

  private async addOperationsDashboard(): Promise<void> {
    await this.conn.run(`INSERT INTO dashboards VALUES ($1, $2, $3, true, $4, $4) ON CONFLICT DO NOTHING`, [
      OPERATIONS_DASHBOARD_ID,
      OPERATIONS_DASHBOARD_NAME,
      JSON.stringify(operationsDashboardBody()),
      Date.now(),
    ]);
  }

  private async reviseSeeded(pack: PackQuery[]): Promise<void> {
    const rev = await this.conn.runAndReadAll(`SELECT value FROM meta WHERE key = 'console_seed_revision'`);
    const seeded = Number(rev.getRows()[0]?.[0] ?? 0);
    if (seeded >= SEED_REVISION) return;
    // Added once to a store seeded before it: a user who deletes it later keeps it deleted.
    if (seeded < 3) await this.addOperationsDashboard();
    for (const q of pack) {
      if (!q.original) continue;
      await this.conn.run(
        `UPDATE saved_queries SET name = $1, description = $2, query_string = $3, updated_ts = $4
         WHERE builtin AND name = $5 AND query_string = $6`,
        [q.name, q.description, q.queryString, Date.now(), q.original.name, q.original.queryString],
      );
    }
    await this.conn.run(
      `INSERT INTO meta VALUES ('console_seed_revision', '${SEED_REVISION}') ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    );
  }

  private async refreshCache(): Promise<void> {
    const r = await this.conn.runAndReadAll(`SELECT * FROM saved_queries`);
    const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
    this.cache = r.getRowObjects().map((row) => ({
      id: str(row.id),
      name: str(row.name),
      folder: str(row.folder),
      queryString: str(row.query_string),
      logGroups: jsonArray<string>(row.log_groups),
      description: str(row.description),
      parameters: jsonArray<QueryParameter>(row.parameters),
      ...(row.engine ? { engine: str(row.engine) } : {}),
      builtin: Boolean(row.builtin),
      createdTime: num(row.created_ts),
      updatedTime: num(row.updated_ts),
    }));
    // Natural order, so "Query 2" comes before "Query 10".
    this.cache.sort(
      (a, b) => collator.compare(a.folder, b.folder) || collator.compare(a.name, b.name) || a.id.localeCompare(b.id),
    );
  }

  /** Every saved query, sorted by folder then name. Synchronous (served from a cache). */
  listSavedQueries(): SavedQuery[] {
    return this.cache.map((q) => ({ ...q, logGroups: [...q.logGroups], parameters: [...q.parameters] }));
  }

  getSavedQuery(id: string): SavedQuery | undefined {
    return this.listSavedQueries().find((q) => q.id === id);
  }

  /**
   * The saved query a `$Name(...)` invocation refers to (for DuckDbEngineOptions.savedQueries):
   * by CloudWatch name ("folder/name") first, then by bare name.
   */
  lookupByName(name: string): SavedQuery | undefined {
    const all = this.cache;
    return all.find((q) => cloudWatchName(q) === name) ?? all.find((q) => q.name === name);
  }

  private async insertSavedQuery(input: SavedQueryInput, builtin: boolean, id: string = randomUUID()): Promise<string> {
    const now = Date.now();
    await this.conn.run(
      `INSERT INTO saved_queries (id, name, folder, query_string, log_groups, description, parameters, builtin, created_ts, updated_ts, engine)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)`,
      [
        id,
        checkName(input.name, 'saved query'),
        (input.folder ?? '').trim(),
        input.queryString,
        JSON.stringify(input.logGroups ?? []),
        input.description ?? '',
        JSON.stringify(input.parameters ?? []),
        builtin,
        now,
        input.engine || null,
      ],
    );
    return id;
  }

  async createSavedQuery(input: SavedQueryInput, id?: string): Promise<SavedQuery> {
    if (!input.queryString || !input.queryString.trim())
      throw new BiError('INVALID_QUERY', 'A saved query needs a query string.');
    const newId = await this.insertSavedQuery(input, false, id);
    await this.refreshCache();
    return this.getSavedQuery(newId)!;
  }

  /** Change any of name, folder, query, log groups, description, parameters. */
  async updateSavedQuery(id: string, patch: Partial<SavedQueryInput>): Promise<SavedQuery> {
    const cur = this.getSavedQuery(id);
    if (!cur) throw new BiError('NOT_FOUND', `No saved query has the id ${id}; reload the list.`);
    const next = {
      name: patch.name !== undefined ? checkName(patch.name, 'saved query') : cur.name,
      folder: patch.folder !== undefined ? patch.folder.trim() : cur.folder,
      queryString: patch.queryString ?? cur.queryString,
      logGroups: patch.logGroups ?? cur.logGroups,
      description: patch.description ?? cur.description,
      parameters: patch.parameters ?? cur.parameters,
      engine: patch.engine !== undefined ? patch.engine : (cur.engine ?? ''),
    };
    await this.conn.run(
      `UPDATE saved_queries SET name=$2, folder=$3, query_string=$4, log_groups=$5, description=$6, parameters=$7, updated_ts=$8, engine=$9 WHERE id=$1`,
      [
        id,
        next.name,
        next.folder,
        next.queryString,
        JSON.stringify(next.logGroups),
        next.description,
        JSON.stringify(next.parameters),
        Date.now(),
        next.engine || null,
      ],
    );
    await this.refreshCache();
    return this.getSavedQuery(id)!;
  }

  /** True when something was deleted. */
  async deleteSavedQuery(id: string): Promise<boolean> {
    const existed = this.getSavedQuery(id) !== undefined;
    await this.conn.run(`DELETE FROM saved_queries WHERE id = $1`, [id]);
    await this.refreshCache();
    return existed;
  }

  /** Rename a folder (every query in it); returns how many queries moved. */
  async renameFolder(from: string, to: string): Promise<number> {
    const target = to.trim();
    const moved = this.cache.filter((q) => q.folder === from).length;
    await this.conn.run(`UPDATE saved_queries SET folder = $2, updated_ts = $3 WHERE folder = $1`, [
      from,
      target,
      Date.now(),
    ]);
    await this.refreshCache();
    return moved;
  }

  /** Delete a folder and the queries in it; returns how many were deleted. */
  async deleteFolder(folder: string): Promise<number> {
    const n = this.cache.filter((q) => q.folder === folder).length;
    await this.conn.run(`DELETE FROM saved_queries WHERE folder = $1`, [folder]);
    await this.refreshCache();
    return n;
  }

  async addHistory(e: Omit<HistoryEntry, 'id'>): Promise<HistoryEntry> {
    const id = randomUUID();
    await this.conn.run(`INSERT INTO query_history VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
      id,
      e.queryString,
      JSON.stringify(e.logGroups),
      JSON.stringify(e.range),
      e.runTime,
      e.status,
      e.recordsMatched,
      e.rowCount,
      e.durationMs,
      e.error,
    ]);
    // Keep the newest HISTORY_LIMIT entries.
    await this.conn.run(
      `DELETE FROM query_history WHERE id IN (SELECT id FROM query_history ORDER BY run_ts DESC, id OFFSET ${HISTORY_LIMIT})`,
    );
    return { id, ...e };
  }

  async listHistory(limit = 50): Promise<HistoryEntry[]> {
    const r = await this.conn.runAndReadAll(`SELECT * FROM query_history ORDER BY run_ts DESC LIMIT $1`, [
      Math.max(1, Math.min(HISTORY_LIMIT, limit)),
    ]);
    return r.getRowObjects().map((row) => {
      let range: RangeSpec;
      try {
        range = JSON.parse(str(row.range_spec)) as RangeSpec;
      } catch {
        range = { kind: 'relative', value: '1h' };
      }
      return {
        id: str(row.id),
        queryString: str(row.query_string),
        logGroups: jsonArray<string>(row.log_groups),
        range,
        runTime: num(row.run_ts),
        status: str(row.status),
        recordsMatched: numOrNull(row.records_matched),
        rowCount: numOrNull(row.row_count),
        durationMs: numOrNull(row.duration_ms),
        error: row.error === null ? null : str(row.error),
      };
    });
  }

  async clearHistory(): Promise<void> {
    await this.conn.run(`DELETE FROM query_history`);
  }

  async listDashboards(): Promise<Dashboard[]> {
    const r = await this.conn.runAndReadAll(`SELECT * FROM dashboards ORDER BY builtin DESC, name, id`);
    return r.getRowObjects().map((row) => this.toDashboard(row));
  }

  private toDashboard(row: Record<string, unknown>): Dashboard {
    let body: DashboardBody;
    try {
      body = checkDashboardBody(JSON.parse(str(row.body)) as Partial<DashboardBody>);
    } catch {
      body = checkDashboardBody({});
    }
    return {
      id: str(row.id),
      name: str(row.name),
      builtin: Boolean(row.builtin),
      createdTime: num(row.created_ts),
      updatedTime: num(row.updated_ts),
      ...body,
    };
  }

  async getDashboard(id: string): Promise<Dashboard | undefined> {
    const r = await this.conn.runAndReadAll(`SELECT * FROM dashboards WHERE id = $1`, [id]);
    const row = r.getRowObjects()[0];
    return row ? this.toDashboard(row) : undefined;
  }

  async createDashboard(name: string, body: Partial<DashboardBody>): Promise<Dashboard> {
    const id = randomUUID();
    const now = Date.now();
    await this.conn.run(`INSERT INTO dashboards VALUES ($1, $2, $3, false, $4, $4)`, [
      id,
      checkName(name, 'dashboard'),
      JSON.stringify(checkDashboardBody(body)),
      now,
    ]);
    return (await this.getDashboard(id))!;
  }

  async updateDashboard(id: string, patch: { name?: string } & Partial<DashboardBody>): Promise<Dashboard> {
    const cur = await this.getDashboard(id);
    if (!cur) throw new BiError('NOT_FOUND', `No dashboard has the id ${id}; reload the list.`);
    const name = patch.name !== undefined ? checkName(patch.name, 'dashboard') : cur.name;
    const body = checkDashboardBody({
      range: patch.range ?? cur.range,
      refresh: patch.refresh ?? cur.refresh,
      totals: patch.totals ?? cur.totals,
      widgets: patch.widgets ?? cur.widgets,
    });
    await this.conn.run(`UPDATE dashboards SET name=$2, body=$3, updated_ts=$4 WHERE id=$1`, [
      id,
      name,
      JSON.stringify(body),
      Date.now(),
    ]);
    return (await this.getDashboard(id))!;
  }

  async deleteDashboard(id: string): Promise<boolean> {
    const existed = (await this.getDashboard(id)) !== undefined;
    await this.conn.run(`DELETE FROM dashboards WHERE id = $1`, [id]);
    return existed;
  }

  close(): void {
    try {
      this.conn.closeSync();
    } catch {
      /* already closed */
    }
  }
}
