import { BiError } from '../util/errors.js';
import { AWS_MODEL_NAMES } from './aws-model-names.js';
import { REGION_RE } from './book-schema.js';
import type { BookFileEntry, DroppedEntry } from './litellm.js';
import type { TokenPrices } from './types.js';

/**
 * The AWS Price List bulk offer file of Amazon Bedrock (`offers/v1.0/aws/AmazonBedrock/current/index.json`,
 * or a region's file) -> book entries. The offer's layout (`products` keyed by SKU with
 * `attributes`; `terms.OnDemand[sku][offerTermCode].priceDimensions[rateCode]` with `unit` and
 * `pricePerUnit.USD`) is AWS's documented bulk format; the Bedrock attributes read here
 * (`model`, `regionCode`, `usagetype`, `inferenceType`, `feature`) are those of real offer records
 * (test/fixtures/aws-price-list-bedrock-sample.json says where they come from).
 *
 * Only what an invocation log can be priced with is imported: on-demand, in-region, standard-tier
 * token prices (input, output, cache read, cache write) of models whose display name maps to a
 * Bedrock model id (aws-model-names.ts). Batch, flex, priority, cross-region, latency-optimized,
 * custom-model and bedrock-mantle SKUs are skipped: the logs do not tell those apart, or never
 * contain them.
 */

interface Dimension {
  unit?: unknown;
  pricePerUnit?: { USD?: unknown };
}
interface OfferTerm {
  priceDimensions?: Record<string, Dimension>;
}
export interface AwsOfferFile {
  formatVersion: string;
  offerCode: string;
  publicationDate?: string;
  products: Record<string, { sku?: string; attributes?: Record<string, unknown> }>;
  terms: { OnDemand?: Record<string, Record<string, OfferTerm>> };
}

/** Is this an AWS Price List bulk offer file (any service)? Detected by content, not by name. */
export function isAwsOfferFile(raw: unknown): raw is AwsOfferFile {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return false;
  const r = raw as Record<string, unknown>;
  return (
    typeof r.offerCode === 'string' &&
    typeof r.formatVersion === 'string' &&
    !!r.products &&
    typeof r.products === 'object' &&
    !!r.terms &&
    typeof r.terms === 'object'
  );
}

type TokenClass = 'input' | 'output' | 'cacheRead' | 'cacheWrite5m';

/**
 * The usage-type tail of each on-demand, standard-tier token price, with the inferenceType that
 * must agree with it. A SKU whose usage type carries anything after these (`-batch`, `-flex`,
 * `-priority`, `-cross-region-global`, `-latency-optimized`, `-custom-model`, `-standard` on
 * bedrock-mantle) is not a price an invocation log can be matched to.
 */
const CLASSES: { tail: string; inferenceType: string; cls: TokenClass }[] = [
  { tail: '-cache-read-input-token-count', inferenceType: 'prompt cache read input tokens', cls: 'cacheRead' },
  { tail: '-cache-write-input-token-count', inferenceType: 'prompt cache write input tokens', cls: 'cacheWrite5m' },
  { tail: '-input-tokens', inferenceType: 'input tokens', cls: 'input' },
  { tail: '-output-tokens', inferenceType: 'output tokens', cls: 'output' },
];

/** `1K tokens` -> 1000, `1M tokens` -> 1: the factor to USD per 1M tokens. */
function perMillionFactor(unit: string): number | null {
  const u = unit.trim().toLowerCase().replace(/\s+/g, ' ');
  if (u === '1k tokens') return 1000;
  if (u === '1m tokens') return 1;
  return null;
}

export interface AwsOfferPrices {
  /** The offer's publication day (YYYY-MM-DD), if it has one. */
  published: string | null;
  /** Priced (model, region) pairs: input and output at least. */
  entries: BookFileEntry[];
  /** SKUs or (model, region) pairs that could not be imported, with the reason. */
  dropped: DroppedEntry[];
  /** Display names without a model id mapping, with their SKU count (their prices are not imported). */
  unmapped: Record<string, number>;
  /** How many SKUs were skipped as not an on-demand standard token price (batch, flex, …). */
  skipped: number;
}

/** The token classes found for one (model id, region), with the SKU each came from. */
interface Group {
  sku: Partial<Record<TokenClass, string>>;
  prices: Partial<Record<TokenClass, number>>;
  conflict: string | null;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** One SKU's on-demand USD price per 1M tokens, or why it has none usable. */
function skuPrice(terms: Record<string, OfferTerm> | undefined): number | string {
  const offers = Object.values(terms ?? {});
  if (offers.length !== 1) return `${offers.length} on-demand terms (expected 1)`;
  const dims = Object.values(offers[0].priceDimensions ?? {});
  // Bedrock's token prices have one dimension over [0, Inf); tiers would need usage to choose.
  if (dims.length !== 1) return `${dims.length} price dimensions (expected 1)`;
  const d = dims[0];
  const factor = perMillionFactor(str(d.unit));
  if (factor === null) return `unit ${JSON.stringify(d.unit)} is not "1K tokens" or "1M tokens"`;
  const usd = str(d.pricePerUnit?.USD);
  const n = usd.trim() === '' ? Number.NaN : Number(usd);
  if (!Number.isFinite(n) || n < 0) return `pricePerUnit.USD ${JSON.stringify(d.pricePerUnit?.USD)} is not a price`;
  return Number((n * factor).toPrecision(12));
}

/** The offer's on-demand standard token prices per (model id, region). */
export function pricesFromAwsOffer(offer: AwsOfferFile, file: string): AwsOfferPrices {
  if (offer.offerCode !== 'AmazonBedrock')
    throw new BiError(
      'PRICE_SOURCE_UNSUPPORTED',
      `${file} is the AWS Price List offer file of ${offer.offerCode}, not of AmazonBedrock. Download https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonBedrock/current/index.json (or a region's file) instead.`,
      { file, offerCode: offer.offerCode },
    );
  const onDemand = offer.terms.OnDemand ?? {};
  const groups = new Map<string, Group>();
  const dropped: DroppedEntry[] = [];
  const unmapped: Record<string, number> = {};
  let skipped = 0;
  for (const [sku, product] of Object.entries(offer.products)) {
    const a = product?.attributes ?? {};
    const usagetype = str(a.usagetype);
    const feature = str(a.feature);
    const c = CLASSES.find((x) => usagetype.endsWith(x.tail));
    if (
      !c ||
      feature !== 'On-demand Inference' ||
      usagetype.includes('-mantle-') ||
      str(a.inferenceType).trim().toLowerCase() !== c.inferenceType
    ) {
      skipped += 1;
      continue;
    }
    const name = str(a.model);
    const model = AWS_MODEL_NAMES[name];
    if (!model) {
      const label = name || `(no model attribute; usagetype ${usagetype})`;
      unmapped[label] = (unmapped[label] ?? 0) + 1;
      continue;
    }
    const region = str(a.regionCode);
    if (!REGION_RE.test(region)) {
      dropped.push({ sourceKey: `aws:${sku}`, reason: `regionCode ${JSON.stringify(a.regionCode)} is not a region` });
      continue;
    }
    const price = skuPrice(onDemand[sku]);
    if (typeof price === 'string') {
      dropped.push({ sourceKey: `aws:${sku}`, reason: `${usagetype}: ${price}` });
      continue;
    }
    const key = `${model}|${region}`;
    const g = groups.get(key) ?? { sku: {}, prices: {}, conflict: null };
    const prev = g.prices[c.cls];
    if (prev !== undefined && prev !== price)
      g.conflict = `${c.cls} is ${prev} in SKU ${g.sku[c.cls]} and ${price} in SKU ${sku}`;
    g.prices[c.cls] = price;
    g.sku[c.cls] = sku;
    groups.set(key, g);
  }
  const entries: BookFileEntry[] = [];
  for (const [key, g] of groups) {
    const [model, region] = key.split('|') as [string, string];
    const skus = Object.values(g.sku).sort().join(',');
    const sourceKey = `aws:${model}@${region} (${skus})`;
    if (g.conflict) {
      dropped.push({ sourceKey, reason: `conflicting prices: ${g.conflict}` });
      continue;
    }
    // Never a half price: a pair without both token directions is left to the book's own entry.
    if (g.prices.input === undefined || g.prices.output === undefined) {
      dropped.push({
        sourceKey,
        reason: `no ${g.prices.input === undefined ? 'input' : 'output'} price in the offer file; the book keeps its own price for this model and region`,
      });
      continue;
    }
    const prices: TokenPrices = {
      input: g.prices.input,
      output: g.prices.output,
      cacheRead: g.prices.cacheRead ?? null,
      cacheWrite5m: g.prices.cacheWrite5m ?? null,
      cacheWrite1h: null,
    };
    entries.push({ model, profile: null, region, effective: null, prices, longContext: null, sourceKey });
  }
  const pub = str(offer.publicationDate).slice(0, 10);
  return {
    published: /^\d{4}-\d{2}-\d{2}$/.test(pub) ? pub : null,
    entries,
    dropped: dropped.sort((x, y) => x.sourceKey.localeCompare(y.sourceKey)),
    unmapped,
    skipped,
  };
}
