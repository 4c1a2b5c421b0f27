/**
 * The query front end, run once per query by every engine and by the CLI: saved-query
 * expansion → parse → composition rules → analysis → plan. Pure: the catalog, the saved
 * queries and the clock come in as values, and the result is data (diagnostics and a plain
 * plan). A dialect (src/insights/sql/<dialect>/) turns the plan into SQL; an engine runs it.
 */
import { analyze, type CatalogInfo } from './analyzer.js';
import { diagnostic, type Diagnostic } from './diagnostics.js';
import type { UnconfirmedDefaults } from './decisions.js';
import type { Plan } from './plan.js';
import { parseQuery } from './parser.js';
import { checkComposition } from './rules.js';
import {
  diagnosticsToOriginal,
  expandSavedQueries,
  MAX_QUERY_LENGTH,
  type SavedQueryParameter,
} from './savedQueries.js';

export type { CatalogInfo };

/** A saved query's text and parameters, as the engine's owner stores them. */
export interface SavedQueryText {
  queryString: string;
  parameters?: readonly SavedQueryParameter[];
}

/** Resolves `$Name(...)` invocations; undefined when no saved query has that name. */
export type SavedQueries = (name: string) => SavedQueryText | undefined;

/** The parts of a query request that shape the plan (StartQuery's or the CLI's). */
export interface QueryScope {
  /** Log groups to read; empty or absent means every log group (unless the query has SOURCE). */
  logGroups?: string[];
  /** Inclusive bounds, epoch ms. */
  startTime?: number;
  endTime?: number;
  /** A trailing `| limit N`. */
  limit?: number;
  /** Lift the 10,000-row default cap. */
  noRowCap?: boolean;
}

export interface CompileQueryOptions {
  /** What the store knows: log groups and the fields seen in each. */
  catalog: CatalogInfo;
  savedQueries?: SavedQueries;
  request?: QueryScope;
  /** Query start, epoch ms (SOURCE start=-1d, now()); default the current time. */
  now?: number;
  /** The unconfirmed defaults; absent means UNCONFIRMED_DEFAULTS (src/insights/decisions.ts). */
  defaults?: UnconfirmedDefaults;
  /** Checked only, the range comes with each run (`check`, the editor): see AnalyzeOptions. */
  rangeAtRunTime?: boolean;
}

export interface QueryCompilation {
  /** The text the diagnostics' spans refer to: the query as written, before saved-query expansion. */
  text: string;
  diagnostics: Diagnostic[];
  /** Present when no diagnostic is an error. */
  plan?: Plan;
  /** Output column names in order (without @ptr); empty when there is no plan. */
  columns: string[];
  /** The query start the plan was made for (a dialect needs it for now()). */
  now: number;
}

/** Run the front end over `text`. Never throws: problems are diagnostics. */
export function compileQuery(text: string, opts: CompileQueryOptions): QueryCompilation {
  const now = opts.now ?? Date.now();
  const failed = (diagnostics: Diagnostic[]): QueryCompilation => ({ text, diagnostics, columns: [], now });
  if (text.length > MAX_QUERY_LENGTH) {
    return failed([
      diagnostic(
        text,
        'QUERY_TOO_LONG',
        'error',
        `The query has ${text.length} characters; the limit is ${MAX_QUERY_LENGTH}. Shorten it or save parts as saved queries.`,
        { start: MAX_QUERY_LENGTH, end: text.length },
      ),
    ]);
  }
  const lookup = (name: string) => {
    const q = opts.savedQueries?.(name);
    return q ? { name, queryString: q.queryString, ...(q.parameters ? { parameters: q.parameters } : {}) } : undefined;
  };
  const expansion = expandSavedQueries(text, lookup);
  if (hasError(expansion.diagnostics)) return failed(expansion.diagnostics);
  const expanded = expansion.text;
  // Diagnostics of later phases concern the expanded text: put their spans back onto `text`.
  const back = (ds: Diagnostic[]) => (expanded === text ? ds : diagnosticsToOriginal(text, expansion, ds));
  const parsed = parseQuery(expanded);
  const diagnostics: Diagnostic[] = [...expansion.diagnostics, ...back(parsed.diagnostics)];
  if (!parsed.query || hasError(parsed.diagnostics)) return failed(diagnostics);
  const rules = checkComposition(parsed.query, expanded);
  diagnostics.push(...back(rules));
  if (hasError(rules)) return failed(diagnostics);
  const r = opts.request ?? {};
  const analysis = analyze(parsed.query, {
    text: expanded,
    catalog: opts.catalog,
    now,
    ...(opts.defaults ? { defaults: opts.defaults } : {}),
    ...(opts.rangeAtRunTime ? { rangeAtRunTime: true } : {}),
    ...(r.logGroups ? { logGroups: r.logGroups } : {}),
    ...(r.startTime !== undefined ? { startTime: r.startTime } : {}),
    ...(r.endTime !== undefined ? { endTime: r.endTime } : {}),
    ...(r.limit !== undefined ? { limit: r.limit } : {}),
    ...(r.noRowCap ? { noRowCap: true } : {}),
  });
  diagnostics.push(...back(analysis.diagnostics));
  if (!analysis.plan) return failed(diagnostics);
  return { text, diagnostics, plan: analysis.plan, columns: analysis.plan.columns.map((c) => c.name), now };
}

function hasError(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}
