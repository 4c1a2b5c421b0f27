/**
 * The price book's shapes. Prices are USD per 1,000,000 tokens. `null` means "no price known for
 * this token class", which is never the same as 0: an invocation that uses a class without a
 * price stays unpriced.
 */

/** Cross-region inference profile prefixes of Bedrock model ids (`us.anthropic.…`). */
export const PROFILES = ['us', 'eu', 'apac', 'jp', 'au', 'global', 'us-gov'] as const;
export type Profile = (typeof PROFILES)[number];

export interface TokenPrices {
  input: number;
  output: number;
  cacheRead: number | null;
  /** 5-minute-TTL cache write; also the rate of writes whose TTL is unknown. */
  cacheWrite5m: number | null;
  /** 1-hour-TTL cache write, where it differs from the 5-minute rate. */
  cacheWrite1h: number | null;
}

/** Prices of a whole request whose prompt (input + cache read + cache write) exceeds the threshold. */
export interface LongContextPrices extends TokenPrices {
  thresholdTokens: number;
}

export interface PriceEntry {
  /** Base model id, without a cross-region profile prefix: `anthropic.claude-sonnet-4-6`. */
  model: string;
  /** The cross-region profile this price is for; null = the base (in-region) model id. */
  profile: Profile | null;
  /** AWS source region this price is specific to; null = every region without its own entry. */
  region: string | null;
  /**
   * First UTC day (YYYY-MM-DD) on which this price applies. null = in effect since before the
   * book's source date (the shipped data does not say when a price started), so it also prices
   * older invocations.
   */
  effective: string | null;
  prices: TokenPrices;
  longContext: LongContextPrices | null;
  /** Where the price came from: the book (shipped, or the user's `prices update`) or the user's prices file. */
  origin: 'shipped' | 'user';
  /** A caveat about the source value (an anomaly flagged in the data), shown by `prices`. */
  note?: string;
  /** The discount (percent off the list price) the user's file applied to this entry's prices. */
  discountPercent?: number;
}

/** The user's discount off list prices (EDP, private pricing), as applied to the book. */
export interface BookDiscount {
  /** Percent off every list price, unless `models` names the model. */
  percent: number | null;
  /** Percent per model id (base id: every profile of it; profile id: that profile only). */
  models: Record<string, number>;
  note: string | null;
}

export interface PriceBook {
  /**
   * Version id of the whole book, written into every priced event (`cost.priceVersion`):
   * the shipped id, plus `+user-<hash>` when a user file extends it.
   */
  version: string;
  /** Version id of the shipped part alone. */
  shippedVersion: string;
  /** Where the shipped prices come from, in words. */
  source: string;
  /** The day the shipped source data was read (YYYY-MM-DD). */
  retrieved: string;
  entries: PriceEntry[];
  /** Application-inference-profile ARN -> model id (base or profile id), from the user file. */
  applicationProfiles: Record<string, string>;
  /** The user file that extended the book, if any. */
  userFile: string | null;
  /** The user's own book (`prices update --from`) used instead of the shipped one; null = shipped. */
  bookFile: string | null;
  /** The discount the user file applied; null = list prices. */
  discount: BookDiscount | null;
  /** Cache prices the book's LiteLLM data lacked, applied when it was built (re-applied by `prices update`). */
  supplements: CacheSupplementData[];
}

/** Per base model id: AWS's published us-east-1 input and cache prices (USD per 1M). */
export interface CacheSupplementData {
  source: string;
  retrieved: string;
  models: Record<string, { region: string; input: number; cacheRead: number; cacheWrite: number }>;
}
