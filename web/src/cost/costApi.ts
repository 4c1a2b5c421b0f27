// The Cost page's calls to /api/cost (the shapes are src/contracts/wire.ts's, built by src/reports/summary.ts).

import type { ChargebackFormat, Change, CostParams, CostSummary, Ranked, Usage } from '../../../src/contracts/wire';

export type { Change, CostParams, CostSummary, Ranked, Usage };

export function costQuery(p: CostParams, extra: Record<string, string> = {}): string {
  const sp = new URLSearchParams({
    start: String(p.start),
    end: String(p.end),
    by: p.by,
    untagged: p.untagged,
    ...extra,
  });
  for (const g of p.logGroups ?? []) sp.append('logGroup', g);
  return sp.toString();
}

export async function fetchCostSummary(p: CostParams, signal?: AbortSignal): Promise<CostSummary> {
  const res = await fetch(`/api/cost/summary?${costQuery(p)}`, {
    credentials: 'same-origin',
    ...(signal ? { signal } : {}),
  });
  if (res.status === 401) {
    window.location.href = `/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;
    throw new Error('Sign in with the access token.');
  }
  const body = (await res.json().catch(() => ({}))) as CostSummary & { error?: { message?: string } };
  if (!res.ok) throw new Error(body.error?.message ?? `The server answered ${res.status}.`);
  return body;
}

/** The statement download link (the server sends it as an attachment). */
export function chargebackUrl(p: CostParams, format: Exclude<ChargebackFormat, 'json'>): string {
  return `/api/cost/chargeback?${costQuery(p, { format })}`;
}
