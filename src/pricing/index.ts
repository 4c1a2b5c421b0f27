/** The pricing module's public API (see README.md). */
export type {
  PriceBook,
  PriceEntry,
  Profile,
  TokenPrices,
  LongContextPrices,
  BookDiscount,
  CacheSupplementData,
} from './types.js';
export { PROFILES } from './types.js';
export {
  loadPriceBook,
  shippedBook,
  userPricesPath,
  parseUserFile,
  extendBook,
  baseBook,
  bookFromFile,
  userBookPath,
  bookFreshness,
  PRICES_ENV,
  PRICE_BOOK_ENV,
  STALE_BOOK_DAYS,
  type LoadBookOptions,
  type BookFreshness,
} from './book.js';
export {
  updateBook,
  diffBooks,
  ACCEPTED_PRICE_SOURCES,
  type BookDiff,
  type PriceChange,
  type UpdateOptions,
  type UpdateResult,
} from './update.js';
export { isAwsOfferFile, pricesFromAwsOffer, type AwsOfferFile, type AwsOfferPrices } from './aws-price-list.js';
export { AWS_MODEL_NAMES } from './aws-model-names.js';
export {
  makeBookFile,
  sourceFromLiteLLM,
  entriesFromSource,
  applyCacheSupplement,
  isRawLiteLLM,
  type SourceFile,
  type SourceModel,
  type CacheSupplement,
} from './litellm.js';
export {
  parseModelId,
  splitProfile,
  familyKey,
  isClaude45OrNewer,
  type ParsedModelId,
  type ModelIdForm,
} from './model-id.js';
export {
  resolveModel,
  resolveOverTime,
  type Resolution,
  type PricedResolution,
  type UnpricedResolution,
  type ResolveOptions,
  type TimedResolution,
} from './resolve.js';
export {
  costOfInvocation,
  isFailed,
  type InvocationUsage,
  type InvocationCost,
  type CostResult,
  type UnpricedPart,
} from './cost.js';
export {
  priceEvents,
  priceCoverage,
  unpricedModels,
  repricePreview,
  reprice,
  cacheWrite1hTokensFromMessage,
  type PriceEventsOptions,
  type PriceEventsResult,
  type PriceCoverage,
  type TimeRange,
  type UnpricedModel,
  type UnpricedReport,
  type UnpricedCount,
  type RepriceChange,
  type RepriceResult,
} from './store.js';
export {
  resolveApplicationProfiles,
  profileSnapshots,
  snapshotPricing,
  snapshotModelId,
  applicationProfileArns,
  PROFILE_SNAPSHOTS_TABLE,
  type ProfileSnapshot,
  type SnapshotModel,
  type SnapshotPricing,
  type ResolveProfilesOptions,
  type ResolveProfilesResult,
  type ProfileResult,
  type ProfileOutcome,
} from './profiles.js';
export { WritePricer, type WritePricerOptions, type PricedCounts } from './write-pricer.js';
