import { readFileSync } from 'node:fs';
import { BiError } from '../util/errors.js';
import type { ShippedBookFile } from './book-schema.js';
import { isRawLiteLLM, makeBookFile, sortEntries, sourceFromLiteLLM, type SourceFile } from './litellm.js';
import type { PriceBook, TokenPrices } from './types.js';

/**
 * `prices update --from FILE`: a newer LiteLLM price file becomes the user's own book, built by
 * the same conversion as the shipped one (src/pricing/litellm.ts) and with the same AWS cache
 * supplements where the new data still lacks cache prices; the diff against the book in use says
 * what changes before anything is re-priced.
 */

export interface UpdateOptions {
  /** The file: LiteLLM's model_prices_and_context_window.json (raw), or an extract in data/prices' shape. */
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
      `Cannot read ${file} (${e instanceof Error ? e.message : String(e)}). Download LiteLLM's model_prices_and_context_window.json and pass its path.`,
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

/** The new book file built from FILE, and its diff against the book in use. */
export function updateBook(o: UpdateOptions): { book: ShippedBookFile; diff: BookDiff; derivations: string[] } {
  const raw = readJson(o.from);
  let source: SourceFile;
  if (isExtract(raw)) source = raw;
  else if (isRawLiteLLM(raw)) {
    const stamped = (raw as { last_updated?: unknown }).last_updated;
    const date =
      o.date ??
      (typeof stamped === 'string' && DAY_RE.test(stamped.slice(0, 10))
        ? stamped.slice(0, 10)
        : new Date(o.now ?? Date.now()).toISOString().slice(0, 10));
    if (!DAY_RE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)))
      throw new BiError('INVALID_ARGUMENT', `--date ${date}: use the day the file was downloaded, as YYYY-MM-DD.`);
    source = sourceFromLiteLLM(raw, date, `LiteLLM model_prices_and_context_window.json read from ${o.from}`);
  } else {
    throw new BiError(
      'PRICE_SOURCE_INVALID',
      `${o.from} is neither LiteLLM's model_prices_and_context_window.json nor a price extract: no entry has litellm_provider. Download https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json.`,
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
      model: e.model,
      profile: e.profile,
      region: e.region,
      effective: e.effective,
      prices: e.prices,
      longContext: e.longContext,
      sourceKey: `kept from ${o.current.shippedVersion}`,
      note: `not in ${source.retrieved}'s data; kept from price book ${o.current.shippedVersion}${e.note ? ` (${e.note})` : ''}`,
    });
  }
  sortEntries(book.entries);
  return { book, diff, derivations };
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
