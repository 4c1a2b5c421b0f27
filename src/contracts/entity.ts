/**
 * Drill-down pages (issue 18 item 5): one page per application, tenant, user, team or model, at
 * `/entity/<dimension>/<name>`. Which field each dimension is, which result columns are one (so a
 * table cell or chart item links to its page), and the Logs Insights query behind every panel of
 * the page. Pure: the console draws the page from these, and the tests compute the same figures
 * with their own queries.
 */
import { ERROR_FLAGS, LATENCY_EXPR } from './ops-queries.js';

export const ENTITY_DIMENSIONS = ['application', 'tenant', 'user', 'team', 'model'] as const;
export type EntityDimension = (typeof ENTITY_DIMENSIONS)[number];

/** The field each dimension is (the keys of the demo's and the guide's request metadata). */
export const ENTITY_FIELDS: Readonly<Record<EntityDimension, string>> = {
  application: 'requestMetadata.application_name',
  tenant: 'requestMetadata.tenant_id',
  user: 'requestMetadata.user_id',
  team: 'requestMetadata.team',
  model: 'modelId',
};

export const ENTITY_LABELS: Readonly<Record<EntityDimension, string>> = {
  application: 'Application',
  tenant: 'Tenant',
  user: 'User',
  team: 'Team',
  model: 'Model',
};

export function isEntityDimension(s: string): s is EntityDimension {
  return (ENTITY_DIMENSIONS as readonly string[]).includes(s);
}

/** The dimension a field is (`requestMetadata.team` → team), if any. */
export function dimensionOfField(field: string): EntityDimension | undefined {
  return ENTITY_DIMENSIONS.find((d) => ENTITY_FIELDS[d] === field);
}

/** The page of one entity (the range and other view state go in the query string). */
export function entityPath(dim: EntityDimension, name: string): string {
  return `/entity/${dim}/${encodeURIComponent(name)}`;
}

/** A value a result shows for "no value" (the untagged bucket, an empty cell) has no page. */
export function linkableValue(v: string | undefined): v is string {
  return v !== undefined && v !== '' && v !== '(untagged)' && v !== 'null';
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Which columns of a result are a dimension: a column named for the field itself (`modelId`,
 * `requestMetadata.team`), or an alias the query gives it (`requestMetadata.application_name as
 * Application`, in `fields` or in `stats … by`).
 */
export function entityColumns(columns: readonly string[], queryString: string): Map<string, EntityDimension> {
  const out = new Map<string, EntityDimension>();
  for (const c of columns) {
    const direct = dimensionOfField(c);
    if (direct) {
      out.set(c, direct);
      continue;
    }
    for (const d of ENTITY_DIMENSIONS) {
      const f = escapeRegex(ENTITY_FIELDS[d]);
      const alias = new RegExp(`(?:^|[\\s,(|])\`?${f}\`?\\s+as\\s+\`?${escapeRegex(c)}\`?(?=$|[\\s,|)])`, 'i');
      if (alias.test(queryString)) {
        out.set(c, d);
        break;
      }
    }
  }
  return out;
}

/** A Logs Insights string literal of any text (quotes and backslashes escaped). */
export function insightsString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/** The filter that selects one entity's invocations. */
export function entityFilter(dim: EntityDimension, name: string): string {
  return `filter ${ENTITY_FIELDS[dim]} = ${insightsString(name)}`;
}

/** Hourly bins up to two days, daily beyond (a month of hours is 720 points per series). */
export function entityBin(rangeMs: number): '1h' | '1d' {
  return rangeMs <= 2 * 86_400_000 ? '1h' : '1d';
}

export interface EntityPanel {
  id: string;
  title: string;
  view: 'line' | 'stackedArea' | 'bar' | 'table' | 'number';
  /** Grid columns out of 24. */
  width: number;
  queryString: string;
}

const TOKENS = 'input.inputTokenCount + output.outputTokenCount as Tokens';

/** The summary row of an entity's page: the figures its header shows. */
export function entitySummaryQuery(dim: EntityDimension, name: string): string {
  return (
    `${entityFilter(dim, name)}\n` +
    `| ${ERROR_FLAGS}\n` +
    '| stats count(*) as Invocations,\n' +
    '        sum(input.inputTokenCount) + sum(output.outputTokenCount) as Tokens,\n' +
    '        sum(cost.total) as CostUSD,\n' +
    '        sum(Failed) as Errors'
  );
}

/** The panels of an entity's page, for a range of `rangeMs`. */
export function entityPanels(dim: EntityDimension, name: string, rangeMs: number): EntityPanel[] {
  const f = entityFilter(dim, name);
  const bin = entityBin(rangeMs);
  const panels: EntityPanel[] = [
    {
      id: 'usage',
      title: `Tokens per ${bin === '1h' ? 'hour' : 'day'}`,
      view: 'stackedArea',
      width: 12,
      queryString: `${f}\n| stats sum(input.inputTokenCount) as InputTokens, sum(output.outputTokenCount) as OutputTokens,\n        sum(input.cacheReadInputTokenCount) as CacheReadTokens by bin(${bin})`,
    },
    {
      id: 'cost',
      title: `Cost per ${bin === '1h' ? 'hour' : 'day'} (USD)`,
      view: 'line',
      width: 12,
      queryString: `${f}\n| stats sum(cost.total) as CostUSD by bin(${bin})`,
    },
    {
      id: 'latency',
      title: 'Latency p50 / p95 / p99 (ms)',
      view: 'line',
      width: 12,
      queryString: `${f}\n| fields ${LATENCY_EXPR} as LatencyMs\n| filter ispresent(LatencyMs)\n| stats pct(LatencyMs, 50) as p50, pct(LatencyMs, 95) as p95, pct(LatencyMs, 99) as p99 by bin(${bin})`,
    },
    {
      id: 'errors',
      title: 'Errors (throttled beside them)',
      view: 'line',
      width: 12,
      queryString: `${f}\n| ${ERROR_FLAGS}\n| stats sum(Failed) as Errors, sum(Throttled) as ThrottledErrors by bin(${bin})`,
    },
  ];
  if (dim !== 'user')
    panels.push({
      id: 'top-users',
      title: 'Top users',
      view: 'table',
      width: 12,
      queryString: `${f}\n| fields requestMetadata.user_id as User, ${TOKENS}\n| stats count(*) as Invocations, sum(Tokens) as TotalTokens, round(sum(cost.total), 4) as CostUSD by User\n| sort TotalTokens desc\n| limit 10`,
    });
  if (dim !== 'model')
    panels.push({
      id: 'models',
      title: 'Models used',
      view: 'table',
      width: dim === 'user' ? 24 : 12,
      queryString: `${f}\n| fields ${TOKENS}\n| stats count(*) as Invocations, sum(Tokens) as TotalTokens, round(sum(cost.total), 4) as CostUSD by modelId\n| sort TotalTokens desc`,
    });
  else
    panels.push({
      id: 'applications',
      title: 'Applications using it',
      view: 'table',
      width: 12,
      queryString: `${f}\n| fields requestMetadata.application_name as Application, ${TOKENS}\n| stats count(*) as Invocations, sum(Tokens) as TotalTokens, round(sum(cost.total), 4) as CostUSD by Application\n| sort TotalTokens desc`,
    });
  panels.push({
    id: 'top-roles',
    title: 'Top IAM identities',
    view: 'table',
    width: 24,
    queryString: `${f}\n| fields ${TOKENS}\n| stats count(*) as Invocations, sum(Tokens) as TotalTokens, round(sum(cost.total), 4) as CostUSD by identity.arn\n| sort TotalTokens desc\n| limit 10`,
  });
  return panels;
}
