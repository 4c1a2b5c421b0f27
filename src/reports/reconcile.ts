import type { PeriodCoverage } from '../contracts/wire.js';
import { dataExtent, periodCoverage } from './extent.js';
import type { QueryEngine } from '../engines/engine.js';
import { familyKey, loadPriceBook, parseModelId, resolveModel, type PriceBook } from '../pricing/index.js';
import type { Bill, BillLine } from './bill.js';
import { largestRemainder, toCents } from '../contracts/money.js';
import type { Statement } from './chargeback.js';
import { isoDay, type Period } from './period.js';
import { BEDROCK_ONLY, num, runQuery } from './query.js';
import { binMs } from './report.js';

/**
 * Reconciliation: the bill against the cost computed from the logs, per UTC day and model.
 *
 * Mapping bill lines to models (README.md has the table): a usage type
 * `<REGION>-<Model>-<token class>` loses its region code and token-class suffix
 * (`-input-tokens`, `-output-tokens`, `-cache-read-input-token-count`,
 * `-cache-write-input-token-count`, the `-mantle-…` and tier/cross-region variants); the model
 * part, a product name (`Claude 3.5 Sonnet (Amazon Bedrock Edition)`) or a resource ARN is
 * reduced to a key of lower-case letters and digits with no provider, date or version
 * (`claudesonnet45`), and the logged model ids are reduced the same way (after resolving
 * profiles and mapped application-profile ARNs to their model). Equal keys match; otherwise the
 * longest key that one contains of the other; otherwise the line stays "unmapped" (and counts as
 * billed-only). `modelMap` overrides it: bill label (or its model part) -> model id.
 */

const TOKEN_SUFFIX =
  /-(?:mantle-)?(?:input|output)-tokens?(?:-.*)?$|-cache-(?:read|write)-input-token-count(?:-.*)?$|-(?:input|output)-token-count(?:-.*)?$/i;
const TIER_SUFFIX =
  /-(?:cross-region(?:-global|-geo)?|global|geo|batch|flex|priority|provisioned|latency-optimized|standard)$/i;

/** The model part of a bill label: `USE1-ClaudeSonnet4.5-input-tokens` -> `ClaudeSonnet4.5`. */
export function billModelPart(label: string): string {
  let s = label
    .trim()
    .replace(/^[A-Z]{2,4}\d?-/, '')
    .replace(/^MP:/, '');
  s = s.replace(TOKEN_SUFFIX, '');
  for (let i = 0; i < 3; i += 1) s = s.replace(TIER_SUFFIX, '');
  s = s.replace(/\s*\((?:Amazon )?Bedrock(?: Edition)?\)\s*$/i, '');
  return s;
}

/** A comparable key: lower-case letters and digits, no provider prefix, date or version. */
export function modelKey(model: string): string {
  const base = familyKey(
    model.replace(
      /^(?:anthropic|amazon|meta|mistral|cohere|ai21|deepseek|writer|qwen|openai|stability|twelvelabs|luma|google|minimax|moonshot|nvidia)\./i,
      '',
    ),
  );
  return base
    .toLowerCase()
    .replace(/-\d{8}$/, '')
    .replace(/[^a-z0-9]/g, '');
}

/** The model a logged modelId stands for (profile and mapped application-profile ARNs resolved). */
function loggedModel(modelId: string, region: string | undefined, book: PriceBook): string {
  const r = resolveModel(modelId, region ?? null, { book });
  if (r.priced && r.model) return r.model;
  return parseModelId(modelId).model ?? modelId;
}

export interface ReconLine {
  day: string;
  /** The model key both sides are compared on, and how it reads. */
  key: string;
  model: string;
  billed: number;
  computed: number;
  variance: number;
  requests: number;
  /** Invocations with an unpriced part (count(cost.unpriced)), and their unpriced tokens. */
  unpricedRequests: number;
  unpricedTokens: number;
  /** matched: both sides; billed-only: no logged invocations; logged-only: not on the bill; unpriced: matched but some invocations have no price. */
  status: 'matched' | 'billed-only' | 'logged-only' | 'unpriced';
  billLabels: string[];
}

export interface Reconciliation {
  period: Period;
  /** Whether the store has logged invocations for the period (an empty one explains the whole bill as "no logs"). */
  periodCoverage: PeriodCoverage;
  bill: { file: string; format: string; lines: number; skippedOtherServices: number };
  lines: ReconLine[];
  byModel: { model: string; billed: number; computed: number; variance: number; status: string }[];
  adjustments: { lineType: string; label: string; cost: number }[];
  totals: {
    billed: number;
    billedUsage: number;
    adjustments: number;
    computed: number;
    /** Tokens the computed side leaves out (no price): the bill has them, the logs' cost does not. */
    unpricedTokens: number;
    variance: number;
    explained: { adjustments: number; billedOnly: number; loggedOnly: number; unpriced: number };
    /** Variance of the cells both sides have and that are fully priced: what nothing above explains. */
    unexplained: number;
  };
  unmappedLabels: string[];
}

export interface ReconcileOptions {
  period: Period;
  logGroups?: string[];
  book?: PriceBook;
  /** Bill label (or its model part) -> model id, for labels the automatic mapping gets wrong. */
  modelMap?: Record<string, string>;
}

export async function reconcile(engine: QueryEngine, bill: Bill, opts: ReconcileOptions): Promise<Reconciliation> {
  const book = opts.book ?? loadPriceBook();
  const { period } = opts;
  const inPeriod = (day: string): boolean => {
    const t = Date.parse(`${day}T00:00:00Z`);
    return t >= period.start && t < period.end;
  };
  // Computed side: one Logs Insights query through the engine.
  const rows = await runQuery(
    engine,
    `${BEDROCK_ONLY} | stats sum(cost.total) as cost, count(*) as requests, count(cost.unpriced) as unpriced, sum(cost.unpricedTokens) as unpricedTokens by bin(1d), modelId, region`,
    period,
    opts.logGroups,
  );
  const cells = new Map<string, ReconLine>();
  const displayOf = new Map<string, string>();
  const cell = (day: string, key: string): ReconLine => {
    const k = `${day}|${key}`;
    let c = cells.get(k);
    if (!c)
      cells.set(
        k,
        (c = {
          day,
          key,
          model: key,
          billed: 0,
          computed: 0,
          variance: 0,
          requests: 0,
          unpricedRequests: 0,
          unpricedTokens: 0,
          status: 'matched',
          billLabels: [],
        }),
      );
    return c;
  };
  for (const r of rows) {
    const day = isoDay(binMs(r['bin(1d)']));
    const model = loggedModel(r.modelId ?? '', r.region, book);
    const key = modelKey(model);
    if (!displayOf.has(key)) displayOf.set(key, model);
    const c = cell(day, key);
    c.computed += num(r.cost);
    c.requests += num(r.requests);
    c.unpricedRequests += num(r.unpriced);
    c.unpricedTokens += num(r.unpricedTokens);
  }
  const loggedKeys = [...displayOf.keys()].sort((a, b) => b.length - a.length);
  const userMap = new Map(
    Object.entries(opts.modelMap ?? {}).map(([k, v]) => [k.trim().toLowerCase(), modelKey(parseModelId(v).model ?? v)]),
  );
  const unmapped = new Set<string>();
  const mapLabel = (line: BillLine): string => {
    const part = billModelPart(line.label);
    const override = userMap.get(line.label.trim().toLowerCase()) ?? userMap.get(part.toLowerCase());
    if (override) return override;
    const fromResource = line.resource ? parseModelId(line.resource).model : null;
    const key = modelKey(fromResource ?? part);
    if (displayOf.has(key)) return key;
    const hit = loggedKeys.find((k) => key.length >= 4 && (k.startsWith(key) || key.startsWith(k)));
    if (hit) return hit;
    unmapped.add(line.label);
    if (!displayOf.has(key)) displayOf.set(key, `unmapped: ${part}`);
    return key;
  };
  const adjustments: Reconciliation['adjustments'] = [];
  let billedLines = 0;
  for (const line of bill.lines) {
    if (!inPeriod(line.day)) continue;
    billedLines += 1;
    if (line.kind === 'adjustment') {
      adjustments.push({ lineType: line.lineType, label: line.label, cost: line.cost });
      continue;
    }
    const c = cell(line.day, mapLabel(line));
    c.billed += line.cost;
    if (!c.billLabels.includes(line.label)) c.billLabels.push(line.label);
  }
  const lines = [...cells.values()].sort(
    (a, b) => a.day.localeCompare(b.day) || b.billed + b.computed - (a.billed + a.computed),
  );
  const explained = {
    adjustments: adjustments.reduce((a, x) => a + x.cost, 0),
    billedOnly: 0,
    loggedOnly: 0,
    unpriced: 0,
  };
  let unexplained = 0;
  for (const c of lines) {
    c.model = displayOf.get(c.key) ?? c.key;
    c.variance = c.billed - c.computed;
    if (c.requests === 0) {
      c.status = 'billed-only';
      explained.billedOnly += c.variance;
    } else if (c.billLabels.length === 0) {
      c.status = 'logged-only';
      explained.loggedOnly += c.variance;
    } else if (c.unpricedRequests > 0) {
      c.status = 'unpriced';
      explained.unpriced += c.variance;
    } else {
      c.status = 'matched';
      unexplained += c.variance;
    }
  }
  const byModelMap = new Map<
    string,
    { model: string; billed: number; computed: number; variance: number; statuses: Set<string> }
  >();
  for (const c of lines) {
    const m = byModelMap.get(c.key) ?? {
      model: c.model,
      billed: 0,
      computed: 0,
      variance: 0,
      statuses: new Set<string>(),
    };
    m.billed += c.billed;
    m.computed += c.computed;
    m.variance += c.variance;
    m.statuses.add(c.status);
    byModelMap.set(c.key, m);
  }
  const billedUsage = lines.reduce((a, c) => a + c.billed, 0);
  const computed = lines.reduce((a, c) => a + c.computed, 0);
  const billed = billedUsage + explained.adjustments;
  const requests = lines.reduce((a, c) => a + c.requests, 0);
  return {
    period,
    periodCoverage: periodCoverage(period, await dataExtent(engine, opts.logGroups), requests),
    bill: { file: bill.file, format: bill.format, lines: billedLines, skippedOtherServices: bill.skippedOtherServices },
    lines,
    byModel: [...byModelMap.values()]
      .map((m) => ({
        model: m.model,
        billed: m.billed,
        computed: m.computed,
        variance: m.variance,
        status: [...m.statuses].sort().join('+'),
      }))
      .sort((a, b) => Math.abs(b.variance) - Math.abs(a.variance)),
    adjustments,
    totals: {
      billed,
      billedUsage,
      adjustments: explained.adjustments,
      computed,
      unpricedTokens: lines.reduce((a, c) => a + c.unpricedTokens, 0),
      variance: billed - computed,
      explained,
      unexplained,
    },
    unmappedLabels: [...unmapped].sort(),
  };
}

export interface Allocation {
  by: string;
  billedCents: number;
  owners: { owner: string; computedCents: number; weight: number; allocatedCents: number }[];
}

/**
 * Distribute the billed amount (usage and adjustments: what was actually paid) over the
 * statement's owners in proportion to their computed cost (their statement totals, so the
 * untagged rule applies), with largest-remainder cents: the owners add up exactly to the bill.
 */
export function allocateBill(rec: Reconciliation, statement: Statement): Allocation {
  const billedCents = toCents(rec.totals.billed);
  const weights = statement.owners.map((o) => o.totalCents);
  const parts = largestRemainder(billedCents, weights);
  return {
    by: statement.by,
    billedCents,
    owners: statement.owners.map((o, i) => ({
      owner: o.owner,
      computedCents: o.totalCents,
      weight: statement.totalCents > 0 ? o.totalCents / statement.totalCents : 0,
      allocatedCents: parts[i],
    })),
  };
}
