// The Cost page's calls to /api/cost (the shapes mirror src/reports/summary.ts).

import type { Usage } from '../../../src/api/wire';

export type { Usage };

export interface Ranked extends Usage { name: string; share: number; untagged?: boolean }
export interface Change { current: number; previous: number; ratio: number | null }
export interface CostSummary {
  by: string;
  field: string;
  totals: Usage;
  previousTotals: Usage;
  change: { cost: Change; requests: Change };
  coverage: { tokens: number; unpricedTokens: number; unpricedRequests: number; share: number; unpriced: { model: string; requests: number; tokens: number }[] };
  breakdown: Ranked[];
  models: Ranked[];
  series: { bin: string; cost: number; requests: number }[];
  seriesUnit: '1h' | '1d';
  cache: { readTokens: number; readCost: number; readAtInput: number; savings: number; writePremium: number; net: number };
  statement: { totalCents: number; untaggedCents: number; untaggedShare: number; owners: { owner: string; kind: string; totalCents: number; untaggedCents: number }[] };
}

export interface CostParams { start: number; end: number; by: string; untagged: string; logGroups?: string[] }

export function costQuery(p: CostParams, extra: Record<string, string> = {}): string {
  const sp = new URLSearchParams({ start: String(p.start), end: String(p.end), by: p.by, untagged: p.untagged, ...extra });
  for (const g of p.logGroups ?? []) sp.append('logGroup', g);
  return sp.toString();
}

export async function fetchCostSummary(p: CostParams, signal?: AbortSignal): Promise<CostSummary> {
  const res = await fetch(`/api/cost/summary?${costQuery(p)}`, { credentials: 'same-origin', ...(signal ? { signal } : {}) });
  if (res.status === 401) {
    window.location.href = `/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;
    throw new Error('Sign in with the access token.');
  }
  const body = (await res.json().catch(() => ({}))) as CostSummary & { error?: { message?: string } };
  if (!res.ok) throw new Error(body.error?.message ?? `The server answered ${res.status}.`);
  return body;
}

/** The statement download link (the server sends it as an attachment). */
export function chargebackUrl(p: CostParams, format: 'csv' | 'html'): string {
  return `/api/cost/chargeback?${costQuery(p, { format })}`;
}
