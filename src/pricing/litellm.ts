import { BiError } from '../util/errors.js';
import type { ShippedBookFile } from './book-schema.js';
import { isClaude45OrNewer } from './model-id.js';
import { PROFILES, type CacheSupplementData, type Profile } from './types.js';

/**
 * LiteLLM's Bedrock prices -> price-book entries. One conversion for the shipped book
 * (scripts/build-price-book.ts, from the extract committed under data/prices) and for
 * `prices update --from FILE` (a raw `model_prices_and_context_window.json`): a raw file is
 * first read into the extract's per-model shape (`sourceFromLiteLLM`), then both go through
 * `entriesFromSource`. Entries that cannot price a runtime invocation log record are dropped
 * with the reason, so a book never carries a silent $0 or a half price.
 */

/** One model of the extract (USD per 1M tokens), as data/prices/bedrock-pricing-litellm-*.json holds it. */
export interface SourceModel {
  input_per_1m: number | null;
  output_per_1m: number | null;
  cache_read_per_1m: number | null;
  cache_write_per_1m: number | null;
  cache_write_1h_per_1m?: number | null;
  input_above_200k_per_1m?: number | null;
  output_above_200k_per_1m?: number | null;
  cache_read_above_200k_per_1m?: number | null;
  cache_write_above_200k_per_1m?: number | null;
  /** `us-east-1`, `default …`, `<profile> …` or `bedrock-mantle …`: the first word is what counts. */
  region: string;
  bedrock_model_id: string;
  litellm_provider: string;
  mode: string;
  notes?: string;
}

export interface SourceFile {
  source: string;
  retrieved: string;
  units: string;
  models: Record<string, SourceModel>;
}

export type BookFileEntry = ShippedBookFile['entries'][number];
export type DroppedEntry = ShippedBookFile['dropped'][number];

const MODES = new Set(['chat', 'completion', 'responses']);
const REGION_RE = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
/** Longest first, so `us-gov.` is not read as `us.`. */
const PREFIXES = [...PROFILES].sort((a, b) => b.length - a.length);
const LONG_CONTEXT_THRESHOLD = 200_000;

function perMillion(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? Number((v * 1e6).toPrecision(12)) : null;
}

/** Is this a raw LiteLLM price file (model key -> {litellm_provider, …}) rather than an extract? */
export function isRawLiteLLM(raw: unknown): raw is Record<string, unknown> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || 'models' in raw) return false;
  return Object.values(raw).some(
    (v) => v !== null && typeof v === 'object' && 'litellm_provider' in (v as Record<string, unknown>),
  );
}

/**
 * A raw `model_prices_and_context_window.json` read into the extract's shape: the Bedrock
 * providers' chat/completion/responses entries that carry a per-token price, the key's routing
 * prefixes (`bedrock/<region>/`, `bedrock/invoke/`, `bedrock/`, `bedrock_mantle/`) removed to get
 * the id a log record carries.
 */
export function sourceFromLiteLLM(raw: unknown, retrieved: string, source: string): SourceFile {
  if (!isRawLiteLLM(raw))
    throw new BiError(
      'PRICE_SOURCE_INVALID',
      "The file is not LiteLLM's model_prices_and_context_window.json (no entry has litellm_provider). Download it from https://github.com/BerriAI/litellm and pass that file.",
    );
  const models: Record<string, SourceModel> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
    const v = value as Record<string, unknown>;
    const provider = typeof v.litellm_provider === 'string' ? v.litellm_provider : '';
    if (!provider.startsWith('bedrock') || !MODES.has(String(v.mode))) continue;
    const input = perMillion(v.input_cost_per_token);
    const output = perMillion(v.output_cost_per_token);
    if (input === null && output === null) continue; // priced per second (provisioned) or per image
    let id = key;
    let scope = 'default';
    const regional = /^bedrock\/([a-z]{2}(?:-gov)?-[a-z]+-\d)\/(.+)$/.exec(key);
    if (regional) {
      scope = regional[1]!;
      id = regional[2]!;
    } else if (key.startsWith('bedrock_mantle/')) {
      scope = 'bedrock-mantle';
      id = key.slice('bedrock_mantle/'.length);
    } else if (key.startsWith('bedrock/invoke/')) id = key.slice('bedrock/invoke/'.length);
    else if (key.startsWith('bedrock/')) id = key.slice('bedrock/'.length);
    if (scope === 'default') {
      const p = PREFIXES.find((x) => id.startsWith(`${x}.`));
      if (p) scope = p;
    }
    const m: SourceModel = {
      input_per_1m: input,
      output_per_1m: output,
      cache_read_per_1m: perMillion(v.cache_read_input_token_cost),
      cache_write_per_1m: perMillion(v.cache_creation_input_token_cost),
      region: scope,
      bedrock_model_id: id,
      litellm_provider: provider,
      mode: String(v.mode),
    };
    const optional: [keyof SourceModel, string][] = [
      ['cache_write_1h_per_1m', 'cache_creation_input_token_cost_above_1hr'],
      ['input_above_200k_per_1m', 'input_cost_per_token_above_200k_tokens'],
      ['output_above_200k_per_1m', 'output_cost_per_token_above_200k_tokens'],
      ['cache_read_above_200k_per_1m', 'cache_read_input_token_cost_above_200k_tokens'],
      ['cache_write_above_200k_per_1m', 'cache_creation_input_token_cost_above_200k_tokens'],
    ];
    for (const [to, from] of optional) {
      const x = perMillion(v[from]);
      if (x !== null) (m as unknown as Record<string, unknown>)[to] = x;
    }
    models[key] = m;
  }
  return { source, retrieved, units: 'USD per 1,000,000 tokens (litellm per-token values x 1e6)', models };
}

function round(x: number): number {
  // Derived prices (ratios of source prices) are rounded to 12 significant digits to drop float noise.
  return Number(x.toPrecision(12));
}

function addNote(e: BookFileEntry, msg: string): void {
  e.note = e.note ? `${e.note}; ${msg}` : msg;
}

/** The extract's models -> book entries (sorted), the dropped ones with the reason, and notes on derived values. */
export function entriesFromSource(src: SourceFile): {
  entries: BookFileEntry[];
  dropped: DroppedEntry[];
  notes: string[];
} {
  const kept = new Map<string, BookFileEntry>();
  const dropped: DroppedEntry[] = [];
  for (const [key, m] of Object.entries(src.models)) {
    const scope = m.region.split(' ')[0];
    if (m.litellm_provider === 'bedrock_mantle') {
      dropped.push({
        sourceKey: key,
        reason: 'bedrock-mantle (OpenAI-compatible) endpoint: not written to runtime model invocation logs',
      });
      continue;
    }
    let id = m.bedrock_model_id;
    if (id.includes('@')) {
      dropped.push({ sourceKey: key, reason: 'Vertex-style id with @: never a Bedrock modelId' });
      continue;
    }
    let profile: Profile | null = null;
    const prefix = PREFIXES.find((p) => id.startsWith(`${p}.`));
    if (prefix) {
      profile = prefix;
      id = id.slice(prefix.length + 1);
    }
    if (!/^[a-z0-9-]+\.[a-z0-9]/.test(id)) {
      dropped.push({ sourceKey: key, reason: 'LiteLLM alias without a provider prefix: never a Bedrock modelId' });
      continue;
    }
    if (m.input_per_1m == null || m.output_per_1m == null) {
      dropped.push({
        sourceKey: key,
        reason: `no per-token ${m.input_per_1m == null ? 'input' : 'output'} price${m.notes ? ` (${m.notes})` : ''}`,
      });
      continue;
    }
    if (m.input_per_1m === 0 && m.output_per_1m === 0) {
      dropped.push({
        sourceKey: key,
        reason: `placeholder price of 0${m.notes ? ` (${m.notes})` : ''}: left unpriced rather than free`,
      });
      continue;
    }
    const region = REGION_RE.test(scope) ? scope : null;
    if (region === null && scope !== 'default' && scope !== profile) {
      throw new BiError(
        'PRICE_SOURCE_INVALID',
        `${key}: region scope ${JSON.stringify(m.region)} does not match its id ${m.bedrock_model_id}.`,
      );
    }
    const cw5 = m.cache_write_per_1m;
    const cw1 = m.cache_write_1h_per_1m ?? null;
    const entry: BookFileEntry = {
      model: id,
      profile,
      region,
      effective: null,
      prices: {
        input: m.input_per_1m,
        output: m.output_per_1m,
        cacheRead: m.cache_read_per_1m,
        cacheWrite5m: cw5,
        cacheWrite1h: cw1 !== null && cw1 !== cw5 ? cw1 : null,
      },
      longContext: null,
      sourceKey: key,
    };
    if (m.input_above_200k_per_1m != null && m.output_above_200k_per_1m != null) {
      const lcw5 = m.cache_write_above_200k_per_1m ?? null;
      entry.longContext = {
        thresholdTokens: LONG_CONTEXT_THRESHOLD,
        input: m.input_above_200k_per_1m,
        output: m.output_above_200k_per_1m,
        cacheRead: m.cache_read_above_200k_per_1m ?? null,
        cacheWrite5m: lcw5,
        // LiteLLM has no long-context 1-hour write price; scale the 1-hour price like the 5-minute one.
        cacheWrite1h:
          entry.prices.cacheWrite1h !== null && lcw5 !== null && cw5
            ? round(entry.prices.cacheWrite1h * (lcw5 / cw5))
            : null,
      };
    }
    if (m.notes) entry.note = m.notes;
    const slot = `${profile ?? ''}|${id}|${region ?? ''}`;
    const prev = kept.get(slot);
    if (prev) {
      // Two source keys for one Bedrock id: keep the one whose key IS the Bedrock id (LiteLLM's
      // canonical entry), drop the routing alias.
      const canonicalIsNew = key === m.bedrock_model_id && prev.sourceKey !== m.bedrock_model_id;
      const [keep, drop] = canonicalIsNew ? [entry, prev] : [prev, entry];
      kept.set(slot, keep);
      dropped.push({ sourceKey: drop.sourceKey, reason: `duplicate of ${keep.sourceKey}` });
      continue;
    }
    kept.set(slot, entry);
  }

  // Geographic profiles of Claude 4.5+ cost the base price + 10% (spec section 4). Where the source
  // disagrees, keep its value but say so; where it lacks the 1-hour write price the base has, derive it.
  const notes: string[] = [];
  for (const e of kept.values()) {
    if (!e.profile || e.profile === 'global' || e.profile === 'us-gov' || e.region || !isClaude45OrNewer(e.model))
      continue;
    const base = kept.get(`|${e.model}|`);
    if (!base) continue;
    const expected = round(base.prices.input * 1.1);
    if (e.prices.input !== expected) {
      const msg = `inconsistent in source: input ${e.prices.input} is not the base ${base.prices.input} + 10% (${expected}) that other geographic profiles of Claude 4.5+ carry; kept as in source`;
      addNote(e, msg);
      notes.push(`${e.profile}.${e.model}: ${msg}`);
    } else if (e.prices.cacheWrite1h === null && base.prices.cacheWrite1h !== null) {
      e.prices.cacheWrite1h = round(base.prices.cacheWrite1h * 1.1);
      const msg = `1-hour cache-write price missing in source; derived as the base ${base.prices.cacheWrite1h} + 10%`;
      addNote(e, msg);
      notes.push(`${e.profile}.${e.model}: ${msg}`);
    }
  }
  return { entries: sortEntries([...kept.values()]), dropped: sortDropped(dropped), notes };
}

export function sortEntries<E extends Pick<BookFileEntry, 'model' | 'profile' | 'region'>>(entries: E[]): E[] {
  return entries.sort(
    (a, b) =>
      a.model.localeCompare(b.model) ||
      (a.profile ?? '').localeCompare(b.profile ?? '') ||
      (a.region ?? '').localeCompare(b.region ?? ''),
  );
}

function sortDropped(d: DroppedEntry[]): DroppedEntry[] {
  return d.sort((a, b) => a.sourceKey.localeCompare(b.sourceKey));
}

/**
 * Cache prices the LiteLLM data lacks, from AWS's published prices
 * (data/prices/aws-bedrock-cache-prices-*.json): per base model id, the us-east-1 input price and
 * the cache prices published beside it. Each book entry of that model (any profile or region)
 * without a cache price gets the same ratio to its own input price.
 */
export type CacheSupplement = CacheSupplementData;

/** Fill missing cache prices from a supplement; returns a note per model filled. */
export function applyCacheSupplement(entries: BookFileEntry[], supp: CacheSupplement): string[] {
  const notes: string[] = [];
  for (const [model, s] of Object.entries(supp.models)) {
    const targets = entries.filter(
      (e) => e.model === model && (e.prices.cacheRead === null || e.prices.cacheWrite5m === null),
    );
    for (const e of targets) {
      const filled: string[] = [];
      if (e.prices.cacheRead === null) {
        e.prices.cacheRead = round((e.prices.input * s.cacheRead) / s.input);
        filled.push('cache read');
      }
      if (e.prices.cacheWrite5m === null) {
        e.prices.cacheWrite5m = round((e.prices.input * s.cacheWrite) / s.input);
        filled.push('cache write');
      }
      addNote(
        e,
        `${filled.join(' and ')} from AWS's published ${s.region} prices (${supp.retrieved}; cache read ${s.cacheRead}, cache write ${s.cacheWrite} per 1M against input ${s.input})${e.profile === null && (e.region === null || e.region === s.region) ? '' : ', scaled to this entry by its input price'}; LiteLLM lists none`,
      );
    }
    if (targets.length) notes.push(`${model}: cache prices for ${targets.length} entries from ${supp.source}`);
  }
  return notes;
}

export interface BookFileOptions {
  /** The LiteLLM data (an extract, or a raw file read by sourceFromLiteLLM). */
  source: SourceFile;
  /** Cache prices LiteLLM lacks (applied where the source has none). */
  supplements?: CacheSupplement[];
  /** Where the data was read from, for the book's `builtFrom`. */
  builtFrom: string;
  builtBy: string;
}

/** A whole price-book file (the shipped one, or the user's from `prices update`), and how derived values were made. */
export function makeBookFile(o: BookFileOptions): { book: ShippedBookFile; derivations: string[] } {
  const { entries, dropped, notes } = entriesFromSource(o.source);
  const supplements = o.supplements ?? [];
  for (const s of supplements) notes.push(...applyCacheSupplement(entries, s));
  const version = [`litellm-${o.source.retrieved}`, ...supplements.map((s) => `aws-${s.retrieved}`)].join('.');
  const book: ShippedBookFile = {
    format: 'bedrock-insights-price-book/1',
    version,
    source: `LiteLLM's Bedrock prices (BerriAI/litellm model_prices_and_context_window.json)${supplements.length ? "; cache prices LiteLLM lacks from AWS's published prices" : ''}; third-party data, not the AWS Price List`,
    sourceDetail: o.source.source,
    retrieved: o.source.retrieved,
    units: 'USD per 1,000,000 tokens',
    builtFrom: o.builtFrom,
    builtBy: o.builtBy,
    notes: [
      'Third-party data, not the AWS Price List; override any entry in ~/.bedrock-insights/prices.json.',
      'effective = null: the source does not say when a price took effect; it is applied to all invocations until a dated entry replaces it.',
      'Long-context 1-hour cache-write prices are derived (1-hour price x long-context/normal 5-minute ratio); LiteLLM does not list them.',
      ...supplements.map(
        (s) =>
          `Cache prices of ${Object.keys(s.models).join(', ')} (absent from LiteLLM) come from ${s.source}, retrieved ${s.retrieved}; profile and regional entries scale them by their own input price.`,
      ),
    ],
    entries,
    dropped,
    ...(supplements.length ? { supplements } : {}),
  };
  return { book, derivations: notes };
}
