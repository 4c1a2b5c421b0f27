/**
 * Builds the shipped price book, src/pricing/data/price-book.json, from the research team's
 * extract of LiteLLM's Bedrock prices, kept in this repository with its source and date
 * (data/prices/bedrock-pricing-litellm-2026-07-24.json; see data/README.md).
 *
 *   node --import tsx scripts/build-price-book.ts [SOURCE_JSON] [OUT_JSON]
 *
 * The output is committed; run this again when the source extract is refreshed. Entries that
 * cannot price a runtime invocation log record are dropped and listed with the reason, so the
 * book never carries a silent $0 or a half price.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isClaude45OrNewer } from '../src/pricing/model-id.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
/** The committed snapshot the shipped book is built from (data/README.md says where it came from). */
const DEFAULT_SOURCE = 'data/prices/bedrock-pricing-litellm-2026-07-24.json';
const sourcePath = resolve(process.argv[2] ?? resolve(repo, DEFAULT_SOURCE));
const outPath = resolve(process.argv[3] ?? resolve(repo, 'src/pricing/data/price-book.json'));

interface SourceModel {
  input_per_1m: number | null;
  output_per_1m: number | null;
  cache_read_per_1m: number | null;
  cache_write_per_1m: number | null;
  cache_write_1h_per_1m?: number | null;
  input_above_200k_per_1m?: number | null;
  output_above_200k_per_1m?: number | null;
  cache_read_above_200k_per_1m?: number | null;
  cache_write_above_200k_per_1m?: number | null;
  region: string;
  bedrock_model_id: string;
  litellm_provider: string;
  mode: string;
  notes?: string;
}
interface SourceFile {
  source: string;
  retrieved: string;
  units: string;
  models: Record<string, SourceModel>;
}

const PROFILES = ['us-gov', 'us', 'eu', 'apac', 'jp', 'au', 'global'];
const LONG_CONTEXT_THRESHOLD = 200_000;

const src = JSON.parse(readFileSync(sourcePath, 'utf8')) as SourceFile;
if (!/per 1,000,000 tokens/.test(src.units)) throw new Error(`unexpected units in ${sourcePath}: ${src.units}`);

interface OutEntry {
  model: string;
  profile: string | null;
  region: string | null;
  effective: null;
  prices: {
    input: number;
    output: number;
    cacheRead: number | null;
    cacheWrite5m: number | null;
    cacheWrite1h: number | null;
  };
  longContext: null | {
    thresholdTokens: number;
    input: number;
    output: number;
    cacheRead: number | null;
    cacheWrite5m: number | null;
    cacheWrite1h: number | null;
  };
  sourceKey: string;
  note?: string;
}
const kept = new Map<string, OutEntry>();
const dropped: { sourceKey: string; reason: string }[] = [];

function round(x: number): number {
  // Derived prices (ratios of source prices) are rounded to 12 significant digits to drop float noise.
  return Number(x.toPrecision(12));
}

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
  let profile: string | null = null;
  const prefix = PROFILES.find((p) => id.startsWith(`${p}.`));
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
  const region = /^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(scope) ? scope : null;
  if (region === null && scope !== 'default' && scope !== profile) {
    throw new Error(`${key}: region scope ${JSON.stringify(m.region)} does not match its id`);
  }
  const cw5 = m.cache_write_per_1m;
  const cw1 = m.cache_write_1h_per_1m ?? null;
  const entry: OutEntry = {
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
    e.note = e.note ? `${e.note}; ${msg}` : msg;
    notes.push(`${e.profile}.${e.model}: ${msg}`);
  } else if (e.prices.cacheWrite1h === null && base.prices.cacheWrite1h !== null) {
    e.prices.cacheWrite1h = round(base.prices.cacheWrite1h * 1.1);
    const msg = `1-hour cache-write price missing in source; derived as the base ${base.prices.cacheWrite1h} + 10%`;
    e.note = e.note ? `${e.note}; ${msg}` : msg;
    notes.push(`${e.profile}.${e.model}: ${msg}`);
  }
}

const entries = [...kept.values()].sort(
  (a, b) =>
    a.model.localeCompare(b.model) ||
    (a.profile ?? '').localeCompare(b.profile ?? '') ||
    (a.region ?? '').localeCompare(b.region ?? ''),
);
dropped.sort((a, b) => a.sourceKey.localeCompare(b.sourceKey));

const book = {
  format: 'bedrock-insights-price-book/1',
  version: `litellm-${src.retrieved}`,
  source: `LiteLLM's Bedrock prices (BerriAI/litellm model_prices_and_context_window.json, via the RoCry/llm-api-price mirror); third-party data, not the AWS Price List`,
  sourceDetail: src.source,
  retrieved: src.retrieved,
  units: 'USD per 1,000,000 tokens',
  builtFrom: DEFAULT_SOURCE,
  builtBy: 'scripts/build-price-book.ts',
  notes: [
    'Third-party data, not the AWS Price List; override any entry in ~/.bedrock-insights/prices.json.',
    'effective = null: the source does not say when a price took effect; it is applied to all invocations until a dated entry replaces it.',
    'Long-context 1-hour cache-write prices are derived (1-hour price x long-context/normal 5-minute ratio); LiteLLM does not list them.',
  ],
  entries,
  dropped,
};
writeFileSync(outPath, `${JSON.stringify(book, null, 1)}\n`);
process.stdout.write(
  `price book ${book.version}: ${entries.length} entries, ${dropped.length} dropped -> ${outPath}\n`,
);
for (const n of notes) process.stdout.write(`  note: ${n}\n`);
