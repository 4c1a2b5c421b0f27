import { loadPriceBook } from './book.js';
import { familyKey, isClaude45OrNewer, parseModelId, releaseDate, type ParsedModelId } from './model-id.js';
import type { SnapshotPricing } from './profiles.js';
import type { LongContextPrices, PriceBook, PriceEntry, Profile, TokenPrices } from './types.js';

export interface ResolveOptions {
  /** The book to price from; default: loadPriceBook() (shipped + the user's file). */
  book?: PriceBook;
  /** The invocation time (epoch ms), for dated prices; default: now. */
  at?: number;
  /**
   * GetInferenceProfile snapshots by application-profile ARN (profileSnapshots + snapshotPricing
   * in profiles.ts). A user mapping in the book wins over a snapshot.
   */
  snapshots?: ReadonlyMap<string, SnapshotPricing>;
}

interface ResolutionBase {
  /** The modelId as logged. */
  modelId: string;
  parsed: ParsedModelId;
  /** The base model id that was priced (after ARN mapping and version normalisation). */
  model: string | null;
  profile: Profile | null;
  /** The source region used for the lookup (the record's region, else the ARN's). */
  region: string | null;
  /** The book version that resolved (or failed to resolve) it. */
  version: string;
  /** How the id was turned into a price, step by step, for `prices check` and tests. */
  via: string[];
}

export interface PricedResolution extends ResolutionBase {
  priced: true;
  model: string;
  prices: TokenPrices;
  longContext: LongContextPrices | null;
  /** The book entry the prices come from (before any profile adjustment). */
  entry: PriceEntry;
  /** Caveats of this price (derived, approximated or flagged in the source). */
  notes: string[];
}

export interface UnpricedResolution extends ResolutionBase {
  priced: false;
  reason: string;
  /** What the user can do to price it. */
  hint: string;
}

export type Resolution = PricedResolution | UnpricedResolution;

interface BookIndex {
  byModel: Map<string, PriceEntry[]>;
  byFamily: Map<string, string[]>;
  /** Every distinct effective day in the book, as epoch ms, ascending. */
  breakpoints: number[];
}
const indexes = new WeakMap<PriceBook, BookIndex>();

function indexOf(book: PriceBook): BookIndex {
  let ix = indexes.get(book);
  if (ix) return ix;
  const byModel = new Map<string, PriceEntry[]>();
  const byFamily = new Map<string, string[]>();
  const days = new Set<number>();
  for (const e of book.entries) {
    const list = byModel.get(e.model);
    if (list) list.push(e);
    else {
      byModel.set(e.model, [e]);
      const fk = familyKey(e.model);
      byFamily.set(fk, [...(byFamily.get(fk) ?? []), e.model]);
    }
    if (e.effective) days.add(dayMs(e.effective));
  }
  // Newest release first: a date-less id resolves to the latest dated model of its family.
  for (const models of byFamily.values())
    models.sort((a, b) => releaseDate(b).localeCompare(releaseDate(a)) || a.localeCompare(b));
  ix = { byModel, byFamily, breakpoints: [...days].sort((a, b) => a - b) };
  indexes.set(book, ix);
  return ix;
}

export function dayMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

interface Found {
  entry: PriceEntry;
  factor: number;
  step: string | null;
  notes: string[];
}

function pick(entries: PriceEntry[], profile: Profile | null, region: string | null, at: number): PriceEntry | null {
  let best: PriceEntry | null = null;
  for (const e of entries) {
    if (e.profile !== profile || e.region !== region) continue;
    if (e.effective && dayMs(e.effective) > at) continue;
    if (!best || (e.effective ?? '') > (best.effective ?? '')) best = e;
  }
  return best;
}

function lookup(
  ix: BookIndex,
  profile: Profile | null,
  model: string,
  region: string | null,
  at: number,
): Found | null {
  const entries = ix.byModel.get(model);
  if (!entries) return null;
  const inRegion = (p: Profile | null) => (region ? pick(entries, p, region, at) : null) ?? pick(entries, p, null, at);
  const direct = inRegion(profile);
  if (direct) return { entry: direct, factor: 1, step: null, notes: [] };
  if (!profile) return null;
  const base = inRegion(null);
  if (!base) return null;
  if (profile === 'global')
    return { entry: base, factor: 1, step: 'global. profile priced as the base model id', notes: [] };
  if (profile !== 'us-gov' && isClaude45OrNewer(model)) {
    return {
      entry: base,
      factor: 1.1,
      step: `${profile}. profile priced at the base price + 10% (geographic profiles of Claude 4.5 and newer)`,
      notes: ['derived: geographic-profile premium of 10% over the base price'],
    };
  }
  const notes: string[] = [];
  if ((profile === 'eu' || profile === 'apac') && model.startsWith('amazon.nova'))
    notes.push(
      `approximate: Nova under ${profile}. has higher regional prices than the base price used here; add an override`,
    );
  if (profile === 'us-gov')
    notes.push('approximate: GovCloud prices are about 1.2x the base price used here; add an override');
  return { entry: base, factor: 1, step: `${profile}. profile priced as the base model id`, notes };
}

function scale(p: TokenPrices, f: number): TokenPrices {
  if (f === 1) return p;
  const s = (x: number | null) => (x === null ? null : Number((x * f).toPrecision(12)));
  return {
    input: s(p.input) as number,
    output: s(p.output) as number,
    cacheRead: s(p.cacheRead),
    cacheWrite5m: s(p.cacheWrite5m),
    cacheWrite1h: s(p.cacheWrite1h),
  };
}

/**
 * The price of a logged modelId called in a (source) region at a time. Never returns a price for
 * something it does not know: unknown ids, unmapped application-profile ARNs and other ARNs
 * come back unpriced with the reason and a hint.
 */
export function resolveModel(
  modelId: string | null | undefined,
  region: string | null | undefined,
  opts: ResolveOptions = {},
): Resolution {
  const book = opts.book ?? loadPriceBook();
  const at = opts.at ?? Date.now();
  const ix = indexOf(book);
  let parsed = parseModelId(modelId);
  const raw = parsed.raw;
  const via: string[] = [];
  const reg = region || parsed.arnRegion || null;
  const unpriced = (reason: string, hint: string, model: string | null = parsed.model): UnpricedResolution => ({
    priced: false,
    modelId: raw,
    parsed,
    model,
    profile: parsed.profile,
    region: reg,
    version: book.version,
    via,
    reason,
    hint,
  });
  const where = book.userFile ?? '~/.bedrock-insights/prices.json';

  if (parsed.form === 'empty')
    return unpriced('the record has no modelId', 'nothing to map: the ingest kept a record without modelId');
  if (parsed.form === 'application-profile-arn') {
    const mapped = book.applicationProfiles[raw];
    const snap = mapped ? undefined : opts.snapshots?.get(raw);
    if (!mapped && !snap) {
      return unpriced(
        'an application inference profile ARN does not name its model',
        `run \`npx bedrock-insights prices profiles\` with AWS credentials (it asks Bedrock's GetInferenceProfile and keeps the answer), or find the model with \`aws bedrock get-inference-profile --inference-profile-identifier ${raw}\` and add "applicationProfiles": {"${raw}": "<model id>"} to ${where}`,
      );
    }
    if (snap && !snap.modelId) {
      return unpriced(
        `GetInferenceProfile (${new Date(snap.fetchedAt).toISOString().slice(0, 10)}) gives no single model: ${snap.how}`,
        `add "applicationProfiles": {"${raw}": "<model id>"} to ${where}`,
      );
    }
    const target = mapped ?? snap?.modelId;
    via.push(
      mapped
        ? `application profile mapped to ${mapped}`
        : `application profile resolved by GetInferenceProfile on ${new Date((snap as SnapshotPricing).fetchedAt).toISOString().slice(0, 10)}: ${(snap as SnapshotPricing).how}`,
    );
    parsed = parseModelId(target);
    if (parsed.form === 'application-profile-arn' || parsed.form === 'other-arn' || parsed.form === 'empty') {
      return unpriced(
        `the mapping of ${raw} names ${JSON.stringify(target)}, not a model id`,
        `map it to a model id such as us.anthropic.claude-sonnet-4-6 in ${where}`,
      );
    }
  }
  if (parsed.form === 'other-arn') {
    return unpriced(
      `a ${parsed.arnResource ?? 'non-model'} ARN: provisioned throughput, custom models and routers are not priced per token`,
      'these are billed by the hour or by their own rates; their tokens stay in the unpriced bucket',
    );
  }
  if (parsed.form === 'inference-profile-arn' || parsed.form === 'foundation-model-arn')
    via.push(`ARN stripped to ${parsed.profile ? `${parsed.profile}.` : ''}${parsed.model}`);
  const model = parsed.model as string;
  const profile = parsed.profile;

  let found = lookup(ix, profile, model, reg, at);
  let pricedModel = model;
  if (!found) {
    for (const candidate of ix.byFamily.get(familyKey(model)) ?? []) {
      if (candidate === model) continue;
      found = lookup(ix, profile, candidate, reg, at);
      if (found) {
        via.push(`version suffix normalised: ${model} -> ${candidate}`);
        pricedModel = candidate;
        break;
      }
    }
  }
  if (!found) {
    const display = `${profile ? `${profile}.` : ''}${model}`;
    return unpriced(
      `no price for ${display}${reg ? ` in ${reg}` : ''} in price book ${book.version}`,
      `add {"model": "${display}", "input": <USD per 1M>, "output": <USD per 1M>} under "prices" in ${where}`,
      model,
    );
  }
  if (found.step) via.push(found.step);
  const notes = [...found.notes];
  if (found.entry.note) notes.push(`source note: ${found.entry.note}`);
  return {
    priced: true,
    modelId: raw,
    parsed,
    model: pricedModel,
    profile,
    region: reg,
    version: book.version,
    via,
    prices: scale(found.entry.prices, found.factor),
    longContext: found.entry.longContext
      ? { ...scale(found.entry.longContext, found.factor), thresholdTokens: found.entry.longContext.thresholdTokens }
      : null,
    entry: found.entry,
    notes,
  };
}

export interface TimedResolution {
  /** Applies to invocations with fromMs <= ts < toMs; null = unbounded. */
  fromMs: number | null;
  toMs: number | null;
  resolution: Resolution;
}

/**
 * The resolution of one (modelId, region) over all time, as consecutive intervals split at the
 * book's effective days (a single interval when no price is dated).
 */
export function resolveOverTime(
  modelId: string | null | undefined,
  region: string | null | undefined,
  book: PriceBook,
  snapshots?: ReadonlyMap<string, SnapshotPricing>,
): TimedResolution[] {
  const points = indexOf(book).breakpoints;
  const out: TimedResolution[] = [];
  const starts: (number | null)[] = [null, ...points];
  for (let i = 0; i < starts.length; i++) {
    const from = starts[i];
    const to = i + 1 < starts.length ? starts[i + 1] : null;
    const resolution = resolveModel(modelId, region, { book, at: from ?? (to !== null ? to - 1 : 0), snapshots });
    const prev = out[out.length - 1];
    if (prev && sameResolution(prev.resolution, resolution)) prev.toMs = to;
    else out.push({ fromMs: from, toMs: to, resolution });
  }
  return out;
}

function sameResolution(a: Resolution, b: Resolution): boolean {
  if (a.priced !== b.priced) return false;
  if (!a.priced || !b.priced) return true;
  return JSON.stringify([a.prices, a.longContext]) === JSON.stringify([b.prices, b.longContext]);
}
