import { readFileSync } from 'node:fs';
import { BiError } from '../util/errors.js';
import type { ShippedBookFile } from './book-schema.js';
import { isAwsOfferFile, pricesFromAwsOffer, type AwsOfferFile } from './aws-price-list.js';
import {
  applyCacheSupplement,
  isRawLiteLLM,
  makeBookFile,
  sortEntries,
  sourceFromLiteLLM,
  type BookFileEntry,
  type SourceFile,
} from './litellm.js';
import type { PriceBook, PriceEntry, TokenPrices } from './types.js';

/**
 * `prices update --from FILE`: a newer price file becomes the user's own book, and the diff against
 * the book in use says what changes before anything is re-priced. FILE is recognised by its
 * content: a LiteLLM price file is built by the same conversion as the shipped book
 * (src/pricing/litellm.ts, with the same AWS cache supplements where the new data still lacks cache
 * prices); the AWS Price List offer file of Amazon Bedrock (src/pricing/aws-price-list.ts) is laid
 * over the book in use, since it prices only part of Bedrock.
 */

export interface UpdateOptions {
  /** The file: LiteLLM's model_prices_and_context_window.json (raw), an extract in data/prices' shape, or the AWS Price List offer file of AmazonBedrock. */
  from: string;
  /** The day the data was read (YYYY-MM-DD); default: the file's `last_updated` if any, else today (UTC). */
  date?: string;
  /** The book prices start from now (baseBook(): shipped or the user's earlier update, without the prices file): its supplements are re-applied, and the diff is against it. */
  current: PriceBook;
  now?: number;
}

export interface PriceChange {
  /** `us.anthropic.claude-…` (profile prefix included) and region (`*` for every region). */
  id: string;
  region: string;
  /** `kept`: the new file no longer lists it; the book keeps the old price (history stays priced). */
  kind: 'added' | 'kept' | 'changed';
  /** What changed, e.g. `input 3 -> 3.3`, `cacheRead - -> 0.3`. */
  changes: string[];
}

export interface BookDiff {
  from: { version: string; retrieved: string };
  to: { version: string; retrieved: string };
  added: number;
  kept: number;
  changed: number;
  unchanged: number;
  lines: PriceChange[];
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new BiError(
      'PRICE_SOURCE_MISSING',
      `Cannot read ${file} (${e instanceof Error ? e.message : String(e)}). Pass the path of a downloaded price file: ${ACCEPTED_PRICE_SOURCES}.`,
      { file },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new BiError(
      'PRICE_SOURCE_INVALID',
      `${file} is not valid JSON (${e instanceof Error ? e.message : String(e)}): a cut-off download? Download it again.`,
      { file },
    );
  }
}

function isExtract(raw: unknown): raw is SourceFile {
  return (
    !!raw &&
    typeof raw === 'object' &&
    'models' in raw &&
    typeof (raw as { retrieved?: unknown }).retrieved === 'string' &&
    typeof (raw as { units?: unknown }).units === 'string'
  );
}

/** The day the new data was read: --date, else the file's own date, else today (UTC). */
function bookDate(o: UpdateOptions, stamped: string | null): string {
  const date = o.date ?? stamped ?? new Date(o.now ?? Date.now()).toISOString().slice(0, 10);
  if (!DAY_RE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)))
    throw new BiError('INVALID_ARGUMENT', `--date ${date}: use the day the file was downloaded, as YYYY-MM-DD.`);
  return date;
}

/** What `prices update --from` accepts, for the message of a file it does not. */
export const ACCEPTED_PRICE_SOURCES =
  "LiteLLM's model_prices_and_context_window.json (https://github.com/BerriAI/litellm), a price extract in data/prices' shape, or the AWS Price List offer file of Amazon Bedrock (https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonBedrock/current/index.json, or a region's index.json)";

export interface UpdateResult {
  book: ShippedBookFile;
  diff: BookDiff;
  derivations: string[];
  /** Which kind of file FILE was (detected by its content). */
  kind: 'litellm' | 'aws-price-list';
}

/** The new book file built from FILE, and its diff against the book in use. */
export function updateBook(o: UpdateOptions): UpdateResult {
  const raw = readJson(o.from);
  if (isAwsOfferFile(raw)) return { ...bookFromAwsOffer(raw, o), kind: 'aws-price-list' };
  let source: SourceFile;
  if (isExtract(raw)) source = raw;
  else if (isRawLiteLLM(raw)) {
    const stamped = (raw as { last_updated?: unknown }).last_updated;
    const date = bookDate(
      o,
      typeof stamped === 'string' && DAY_RE.test(stamped.slice(0, 10)) ? stamped.slice(0, 10) : null,
    );
    source = sourceFromLiteLLM(raw, date, `LiteLLM model_prices_and_context_window.json read from ${o.from}`);
  } else {
    throw new BiError(
      'PRICE_SOURCE_INVALID',
      `${o.from} is not a price file this command reads (no entry has litellm_provider, and it is not an AWS Price List offer file). Accepted: ${ACCEPTED_PRICE_SOURCES}.`,
      { file: o.from },
    );
  }
  const { book, derivations } = makeBookFile({
    source,
    supplements: o.current.supplements,
    builtFrom: o.from,
    builtBy: 'bedrock-insights prices update',
  });
  if (book.entries.length === 0)
    throw new BiError(
      'PRICE_SOURCE_INVALID',
      `${o.from} has no Bedrock chat model with a per-token price; nothing to build a book from.`,
      { file: o.from },
    );
  const diff = diffBooks(o.current, book);
  // A model the new file no longer lists (retired, renamed) keeps its price, so that re-pricing
  // history never loses it; the diff says so.
  const listed = new Set(book.entries.map(entryKey));
  for (const e of o.current.entries) {
    if (listed.has(entryKey(e))) continue;
    book.entries.push({
      ...bookEntry(e, `kept from ${o.current.shippedVersion}`),
      note: `not in ${source.retrieved}'s data; kept from price book ${o.current.shippedVersion}${e.note ? ` (${e.note})` : ''}`,
    });
  }
  sortEntries(book.entries);
  return { book, diff, derivations, kind: 'litellm' };
}

function bookEntry(e: PriceEntry, sourceKey: string): BookFileEntry {
  return {
    model: e.model,
    profile: e.profile,
    region: e.region,
    effective: e.effective,
    prices: e.prices,
    longContext: e.longContext,
    sourceKey,
    ...(e.note ? { note: e.note } : {}),
  };
}

/**
 * The AWS offer's prices laid over the book in use: each (model, region) the offer prices replaces
 * or adds that regional entry; everything else stays as it is, because the offer covers only part
 * of Bedrock (current Claude models are sold under other offer codes) and is no reason to forget a
 * price. A cache class the offer does not price keeps the book's own price for that entry, or gets
 * the book's AWS cache supplement.
 */
function bookFromAwsOffer(offer: AwsOfferFile, o: UpdateOptions): Omit<UpdateResult, 'kind'> {
  const aws = pricesFromAwsOffer(offer, o.from);
  const unmapped = Object.entries(aws.unmapped)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name} (${n} SKU${n === 1 ? '' : 's'})`);
  if (aws.entries.length === 0)
    throw new BiError(
      'PRICE_SOURCE_INVALID',
      `${o.from} (AWS Price List, AmazonBedrock) has no on-demand input and output token price of a model this version maps to a Bedrock model id${unmapped.length ? `; models without a mapping: ${unmapped.join(', ')}` : ''}. Add their prices to ~/.bedrock-insights/prices.json instead.`,
      { file: o.from },
    );
  const date = bookDate(o, aws.published);
  const current = new Map(o.current.entries.map((e) => [entryKey(e), e] as const));
  const derivations: string[] = [];
  for (const e of aws.entries) {
    e.note = `AWS Price List, offer AmazonBedrock${aws.published ? ` published ${aws.published}` : ''}`;
    const old = current.get(entryKey(e));
    if (!old) continue;
    const carried = (['cacheRead', 'cacheWrite5m', 'cacheWrite1h'] as const).filter(
      (f) => e.prices[f] === null && old.prices[f] !== null,
    );
    for (const f of carried) e.prices[f] = old.prices[f];
    e.longContext = old.longContext;
    if (carried.length) {
      const msg = `${carried.join(', ')} kept from price book ${o.current.shippedVersion} (the offer file has none)`;
      e.note += `; ${msg}`;
      derivations.push(`${e.model} ${e.region}: ${msg}`);
    }
  }
  for (const s of o.current.supplements) derivations.push(...applyCacheSupplement(aws.entries, s));
  const replaced = new Set(aws.entries.map(entryKey));
  const entries = [
    ...o.current.entries
      .filter((e) => !replaced.has(entryKey(e)))
      .map((e) => bookEntry(e, `kept from ${o.current.shippedVersion}`)),
    ...aws.entries,
  ];
  if (unmapped.length)
    derivations.push(
      `not imported, no Bedrock model id known for these AWS names: ${unmapped.join(', ')}; add their prices to ~/.bedrock-insights/prices.json`,
    );
  if (aws.skipped)
    derivations.push(
      `${aws.skipped} SKUs are not on-demand standard token prices (batch, flex, priority, cross-region, provisioned, images…) and were skipped`,
    );
  for (const d of aws.dropped) derivations.push(`${d.sourceKey}: ${d.reason}`);
  const book: ShippedBookFile = {
    format: 'bedrock-insights-price-book/1',
    version: `${o.current.shippedVersion.replace(/\.awspl-\d{4}-\d{2}-\d{2}$/, '')}.awspl-${date}`,
    source: `${o.current.source}; ${aws.entries.length} regional entries from the AWS Price List (offer AmazonBedrock)`,
    sourceDetail: `AWS Price List offer file read from ${o.from}${aws.published ? `, published ${aws.published}` : ''}`,
    retrieved: date,
    units: 'USD per 1,000,000 tokens',
    builtFrom: o.from,
    builtBy: 'bedrock-insights prices update',
    notes: [
      `Entries noted "AWS Price List" come from the AmazonBedrock offer file${aws.published ? ` published ${aws.published}` : ''} (on-demand, in-region, standard tier); every other entry is kept from price book ${o.current.shippedVersion}, whose data is of ${o.current.retrieved}; \`retrieved\` (and so the staleness warning) follows the offer file.`,
      'AWS prices "1K tokens" are multiplied by 1,000 ("1M tokens" taken as they are).',
    ],
    entries: sortEntries(entries),
    dropped: aws.dropped,
    ...(o.current.supplements.length ? { supplements: o.current.supplements } : {}),
  };
  return { book, diff: diffBooks(o.current, book), derivations };
}

type Priced = Pick<ShippedBookFile['entries'][number], 'model' | 'profile' | 'region' | 'effective' | 'prices'>;

function entryKey(e: Pick<Priced, 'model' | 'profile' | 'region' | 'effective'>): string {
  return `${e.profile ?? ''}|${e.model}|${e.region ?? ''}|${e.effective ?? ''}`;
}

const FIELDS: (keyof TokenPrices)[] = ['input', 'output', 'cacheRead', 'cacheWrite5m', 'cacheWrite1h'];
const show = (x: number | null): string => (x === null ? '-' : String(x));

/** Entries added, removed and changed between a book (without the user's prices file) and a new book file. */
export function diffBooks(current: PriceBook, next: ShippedBookFile): BookDiff {
  const before = new Map<string, Priced>(current.entries.map((e) => [entryKey(e), e]));
  const after = new Map<string, Priced>(next.entries.map((e) => [entryKey(e), e]));
  const lines: PriceChange[] = [];
  let unchanged = 0;
  const label = (e: Priced) => ({
    id: `${e.profile ? `${e.profile}.` : ''}${e.model}${e.effective ? ` (from ${e.effective})` : ''}`,
    region: e.region ?? '*',
  });
  for (const [k, n] of after) {
    const o = before.get(k);
    if (!o) {
      lines.push({
        ...label(n),
        kind: 'added',
        changes: FIELDS.filter((f) => n.prices[f] !== null).map((f) => `${f} ${show(n.prices[f])}`),
      });
      continue;
    }
    const changes = FIELDS.filter((f) => o.prices[f] !== n.prices[f]).map(
      (f) => `${f} ${show(o.prices[f])} -> ${show(n.prices[f])}`,
    );
    if (changes.length) lines.push({ ...label(n), kind: 'changed', changes });
    else unchanged += 1;
  }
  for (const [k, o] of before) if (!after.has(k)) lines.push({ ...label(o), kind: 'kept', changes: [] });
  const order = { changed: 0, added: 1, kept: 2 };
  lines.sort((a, b) => order[a.kind] - order[b.kind] || a.id.localeCompare(b.id) || a.region.localeCompare(b.region));
  return {
    from: { version: current.shippedVersion, retrieved: current.retrieved },
    to: { version: next.version, retrieved: next.retrieved },
    added: lines.filter((l) => l.kind === 'added').length,
    kept: lines.filter((l) => l.kind === 'kept').length,
    changed: lines.filter((l) => l.kind === 'changed').length,
    unchanged,
    lines,
  };
}
