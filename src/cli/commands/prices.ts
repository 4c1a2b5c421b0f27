import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  baseBook,
  bookFreshness,
  STALE_BOOK_DAYS,
  loadPriceBook,
  updateBook,
  userBookPath,
  type BookDiff,
  priceCoverage,
  priceEvents,
  reprice,
  resolveApplicationProfiles,
  unpricedModels,
  type PriceBook,
  type PriceEntry,
  type ProfileResult,
  type RepriceChange,
  type UnpricedReport,
} from '../../pricing/index.js';
import { EXIT, setExitCode } from '../exit.js';
import { dbOption, formatOption } from '../options.js';
import { out, printJson, table } from '../output.js';
import { withStore } from '../store.js';

type Format = 'table' | 'json';

interface ListFlags {
  format?: Format;
  model?: string;
  prices?: string;
}
interface DbFlags {
  db?: string;
  format: Format;
  dryRun?: boolean;
  prices?: string;
}
interface ProfileFlags extends DbFlags {
  endpointUrl?: string;
  region?: string;
  refresh?: boolean;
}

function price(x: number | null): string {
  return x === null ? '-' : String(x);
}
function usd(x: number): string {
  const a = Math.abs(x);
  const s = a !== 0 && a < 0.01 ? a.toFixed(6) : a.toFixed(2);
  return `${x < 0 ? '-' : ''}$${s}`;
}
function int(x: number): string {
  return x.toLocaleString('en-US');
}
function displayId(e: PriceEntry): string {
  return `${e.profile ? `${e.profile}.` : ''}${e.model}`;
}

/** The book's version, source, date, discount and (when its data is older than 90 days) the staleness warning. */
export function bookHeader(book: PriceBook, now = Date.now()): string {
  const fresh = bookFreshness(book, now);
  const d = book.discount;
  const lines = [
    `Price book ${book.version} (USD per 1M tokens)`,
    `Source: ${book.source}${book.bookFile ? ` (your book ${book.bookFile}, written by \`prices update\`)` : ''}`,
    `Retrieved: ${book.retrieved} (${fresh.ageDays} days ago)${book.userFile ? `; extended by ${book.userFile}` : ''}`,
  ];
  if (d) {
    const per = Object.entries(d.models).map(([m, p]) => `${m} ${p}%`);
    lines.push(
      `Discount: ${[d.percent !== null ? `${d.percent}% off every list price` : '', per.length ? `per model: ${per.join(', ')}` : ''].filter(Boolean).join('; ')} (from ${book.userFile}${d.note ? `: ${d.note}` : ''}); the prices below are after it`,
    );
  }
  if (fresh.stale) lines.push(`WARNING: ${fresh.warning}`);
  return lines.join('\n');
}

function listPrices(flags: ListFlags): void {
  const fmt = flags.format ?? 'table';
  const book = loadPriceBook({ pricesFile: flags.prices });
  const needle = flags.model?.toLowerCase();
  const entries = book.entries
    .filter((e) => !needle || displayId(e).toLowerCase().includes(needle))
    .sort(
      (a, b) =>
        displayId(a).localeCompare(displayId(b)) ||
        (a.region ?? '').localeCompare(b.region ?? '') ||
        (a.effective ?? '').localeCompare(b.effective ?? ''),
    );
  if (fmt === 'json') {
    printJson({
      version: book.version,
      source: book.source,
      retrieved: book.retrieved,
      freshness: bookFreshness(book),
      bookFile: book.bookFile,
      userFile: book.userFile,
      discount: book.discount,
      units: 'USD per 1,000,000 tokens',
      entries,
      applicationProfiles: book.applicationProfiles,
    });
    return;
  }
  out(bookHeader(book));
  out('');
  if (entries.length === 0) {
    out(needle ? `No model id contains "${flags.model}".` : 'The book is empty.');
    return;
  }
  const rows = entries.map((e) => [
    displayId(e),
    e.region ?? '*',
    e.effective ?? `<=${book.retrieved}`,
    price(e.prices.input),
    price(e.prices.output),
    price(e.prices.cacheRead),
    price(e.prices.cacheWrite5m),
    price(e.prices.cacheWrite1h),
    e.longContext ? `>${e.longContext.thresholdTokens / 1000}k: ${e.longContext.input}/${e.longContext.output}` : '',
    `${e.origin === 'user' ? 'user' : ''}${e.discountPercent ? ` -${e.discountPercent}%` : ''}${e.note ? ' (note)' : ''}`.trim(),
  ]);
  out(
    table(
      [
        'MODEL ID',
        'REGION',
        'SINCE',
        'INPUT',
        'OUTPUT',
        'CACHE READ',
        'WRITE 5M',
        'WRITE 1H',
        'LONG CONTEXT IN/OUT',
        'ORIGIN/NOTE',
      ],
      rows,
      [false, false, false, true, true, true, true, true, false, false],
    ),
  );
  const noted = entries.filter((e) => e.note);
  if (noted.length > 0) {
    out('');
    out('Notes:');
    for (const e of noted) out(`- ${displayId(e)}${e.region ? ` (${e.region})` : ''}: ${e.note}`);
  }
  const maps = Object.entries(book.applicationProfiles);
  if (maps.length > 0) {
    out('');
    out(
      table(
        ['APPLICATION INFERENCE PROFILE', 'MODEL ID'],
        maps.map(([arn, m]) => [arn, m]),
      ),
    );
  }
  out('');
  out(
    `${entries.length} price${entries.length === 1 ? '' : 's'}. "-" = no price: the cache reads or writes of a model without that price stay unpriced (the rest of the invocation is priced); a missing 1-hour write rate falls back to the 5-minute rate.`,
  );
}

/** What part of a model's requests is unpriced, in words. */
function unpricedWhat(m: UnpricedReport): string {
  const parts: string[] = [];
  if (m.parts.all) parts.push(`${int(m.parts.all.requests)} wholly`);
  if (m.parts.cacheRead) parts.push(`cache reads of ${int(m.parts.cacheRead.requests)}`);
  if (m.parts.cacheWrite) parts.push(`cache writes of ${int(m.parts.cacheWrite.requests)}`);
  return parts.join(', ');
}

async function checkPrices(flags: DbFlags): Promise<void> {
  const fmt = flags.format;
  const book = loadPriceBook({ pricesFile: flags.prices });
  const fresh = bookFreshness(book);
  await withStore(flags, 'read', async (store) => {
    const cov = await priceCoverage(store);
    const models = await unpricedModels(store, book);
    if (fmt === 'json') {
      printJson({
        version: book.version,
        freshness: fresh,
        coverage: { ...cov, unpriced: undefined },
        unpriced: models.map((m) => ({
          modelId: m.modelId,
          region: m.region,
          requests: m.requests,
          tokens: m.tokens,
          parts: m.parts,
          priceableNow: m.why === null,
          reason: m.why?.reason ?? null,
          hint: m.why?.hint ?? 'run `npx bedrock-insights prices reprice`',
        })),
      });
    } else {
      out(`Price book ${book.version}. Store ${store.path}.`);
      if (fresh.stale) out(`WARNING: ${fresh.warning}`);
      out(
        cov.share === null
          ? 'No Bedrock tokens in the store.'
          : `Price coverage: ${(cov.share * 100).toFixed(2)}% of ${int(cov.tokens)} tokens priced; ${int(cov.unpricedTokens)} tokens in ${int(cov.unpricedRequests)} requests unpriced${cov.partlyPricedRequests ? ` (${int(cov.partlyPricedRequests)} of them priced except for their cache tokens)` : ''}.`,
      );
      if (models.length === 0) out('Every model in the store has a price.');
      else {
        out('');
        out(
          table(
            ['MODEL ID', 'REGION', 'REQUESTS', 'UNPRICED TOKENS', 'UNPRICED', 'WHY'],
            models.map((m) => [
              m.modelId ?? '(none)',
              m.region ?? '-',
              int(m.requests),
              int(m.tokens),
              unpricedWhat(m),
              m.why ? m.why.reason : 'priced by the current book, not applied yet',
            ]),
            [false, false, true, true, false, false],
          ),
        );
        out('');
        out('What to do:');
        const hints = new Set(
          models.map((m) =>
            m.why ? m.why.hint : 'run `npx bedrock-insights prices reprice` to apply the current book',
          ),
        );
        for (const h of hints) out(`- ${h}`);
        out('Then run `npx bedrock-insights prices reprice` to price the stored history.');
      }
    }
    if (models.length > 0) setExitCode(EXIT.FAILED);
  });
}

function changeRows(changes: RepriceChange[]): string[][] {
  return changes.map((c) => [
    c.modelId ?? '(none)',
    c.month,
    int(c.changedRows + c.versionOnlyRows),
    int(c.changedRows),
    usd(c.oldCost),
    usd(c.newCost),
    usd(c.newCost - c.oldCost),
    [
      c.newlyPriced ? `${int(c.newlyPriced)} newly priced` : '',
      c.newlyUnpriced ? `${int(c.newlyUnpriced)} lose their price` : '',
      c.versionOnlyRows ? `${int(c.versionOnlyRows)} version only` : '',
    ]
      .filter(Boolean)
      .join(', '),
  ]);
}

async function repriceStore(flags: DbFlags): Promise<void> {
  const fmt = flags.format;
  const book = loadPriceBook({ pricesFile: flags.prices });
  await withStore(flags, 'write', async (store) => {
    const result = await reprice(store, { book, dryRun: flags.dryRun === true });
    if (fmt === 'json') {
      printJson({
        version: book.version,
        dryRun: flags.dryRun === true,
        changes: result.changes,
        applied: result.applied,
      });
      return;
    }
    out(`Re-pricing with price book ${book.version}${flags.dryRun ? ' (dry run: nothing is changed)' : ''}.`);
    if (result.changes.length === 0) out('No stored cost changes.');
    else {
      out('');
      out(
        table(
          ['MODEL ID', 'MONTH', 'ROWS', 'COST CHANGES', 'OLD COST', 'NEW COST', 'DELTA', 'NOTE'],
          changeRows(result.changes),
          [false, false, true, true, true, true, true, false],
        ),
      );
      const oldTotal = result.changes.reduce((s, c) => s + c.oldCost, 0);
      const newTotal = result.changes.reduce((s, c) => s + c.newCost, 0);
      out('');
      out(`Total of the changed groups: ${usd(oldTotal)} -> ${usd(newTotal)} (${usd(newTotal - oldTotal)}).`);
    }
    if (result.applied) {
      out(
        `Applied: ${int(result.applied.priced)} invocations priced with ${result.applied.version}; ${int(result.applied.unpriced)} with an unpriced part (${int(result.applied.unpricedTokens)} tokens${result.applied.partlyPriced ? `; ${int(result.applied.partlyPriced)} of them priced except for their cache tokens` : ''}; see \`npx bedrock-insights prices check\`).`,
      );
    } else if (result.changes.length > 0) {
      out('Dry run: run again without --dry-run to apply.');
    }
  });
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function profileRow(r: ProfileResult): string[] {
  const s = r.snapshot;
  const state = {
    fetched: 'fetched now',
    kept: r.error ? `kept (refresh failed: ${r.error.code})` : 'kept',
    mapped: 'mapped in the prices file',
    gone: `deleted (not found since ${s?.missingSince ? day(s.missingSince) : '?'}); snapshot kept`,
    failed: `not resolved: ${r.error?.code ?? 'error'}`,
  }[r.outcome];
  return [
    r.arn,
    s?.name ?? '-',
    r.outcome === 'mapped' ? (r.mappedTo ?? '-') : (s?.pricedAs.modelId ?? '-'),
    s ? day(s.fetchedAt) : '-',
    state,
  ];
}

/**
 * AWS calls happen here only, when the user asks: ingest never calls Bedrock's control plane
 * (it may run where no credentials exist, and one call per profile is enough forever).
 */
async function resolveProfiles(flags: ProfileFlags): Promise<void> {
  const fmt = flags.format;
  const book = loadPriceBook({ pricesFile: flags.prices });
  await withStore(flags, 'write', async (store) => {
    const r = await resolveApplicationProfiles(store, {
      book,
      refresh: flags.refresh === true,
      ...(flags.endpointUrl ? { endpoint: flags.endpointUrl } : {}),
      ...(flags.region ? { region: flags.region } : {}),
    });
    // Rows waiting for a price get one now; rows already priced change only through `prices reprice`.
    const applied = await priceEvents(store, { book });
    const failed = r.results.filter((x) => x.outcome === 'failed');
    if (fmt === 'json') {
      printJson({
        version: book.version,
        calls: r.calls,
        noCredentials: r.noCredentials,
        profiles: r.results,
        applied,
      });
    } else if (r.results.length === 0) {
      out(`No application inference profile ARN in the store ${store.path}.`);
    } else {
      out(
        `Application inference profiles in ${store.path} (${r.calls} GetInferenceProfile call${r.calls === 1 ? '' : 's'}).`,
      );
      out('');
      out(table(['APPLICATION INFERENCE PROFILE', 'NAME', 'PRICED AS', 'FETCHED', 'STATE'], r.results.map(profileRow)));
      const errs = r.results.filter((x) => x.error);
      if (errs.length > 0) {
        out('');
        out('Problems:');
        if (r.noCredentials) out(`- ${errs[0].error?.message}: ${errs[0].error?.hint}.`);
        else for (const x of errs) out(`- ${x.arn}: ${x.error?.code}: ${x.error?.message}. To fix: ${x.error?.hint}.`);
      }
      out('');
      out(
        `Priced ${int(applied.priced)} waiting invocation${applied.priced === 1 ? '' : 's'}; ${int(applied.unpriced)} still unpriced, wholly or in part (see \`npx bedrock-insights prices check\`).`,
      );
      if (flags.refresh)
        out(
          'Invocations priced before keep their cost; run `npx bedrock-insights prices reprice --dry-run` to see what changed snapshots would change.',
        );
    }
    if (failed.length > 0) setExitCode(EXIT.FAILED);
  });
}

interface UpdateFlags {
  from: string;
  date?: string;
  out?: string;
  dryRun?: boolean;
  format: Format;
  prices?: string;
}

function diffRows(d: BookDiff): string[][] {
  return d.lines.map((l) => [
    l.kind === 'kept' ? 'KEPT (not listed)' : l.kind.toUpperCase(),
    l.id,
    l.region,
    l.changes.join(', '),
  ]);
}

/**
 * Build the user's own book from a newer LiteLLM file and print what changes against the book in
 * use. Stored costs change only through `prices reprice` (which shows its own preview first).
 */
async function updatePrices(flags: UpdateFlags): Promise<void> {
  const fmt = flags.format;
  const current = baseBook();
  const { book, diff, derivations, kind } = updateBook({
    from: resolve(flags.from),
    current,
    ...(flags.date ? { date: flags.date } : {}),
  });
  const target = resolve(flags.out ?? userBookPath());
  if (!flags.dryRun) {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, `${JSON.stringify(book, null, 1)}\n`);
  }
  if (fmt === 'json') {
    printJson({ written: flags.dryRun ? null : target, version: book.version, source: kind, diff });
    return;
  }
  out(
    `${kind === 'aws-price-list' ? 'AWS Price List offer file (AmazonBedrock). ' : ''}Price book ${diff.from.version} (data of ${diff.from.retrieved}) -> ${diff.to.version} (data of ${diff.to.retrieved}): ${int(diff.changed)} changed, ${int(diff.added)} added, ${int(diff.unchanged)} unchanged${kind === 'aws-price-list' ? ' (the offer prices only part of Bedrock; the rest of the book stays)' : `, ${int(diff.kept)} no longer listed (kept at their old price)`}.`,
  );
  if (diff.lines.length) {
    out('');
    out(table(['', 'MODEL ID', 'REGION', 'PRICES (USD per 1M)'], diffRows(diff)));
  }
  for (const n of derivations) out(`note: ${n}`);
  out('');
  if (flags.dryRun) out('Dry run: nothing was written. Run again without --dry-run to use this book.');
  else {
    out(`Wrote ${target}${flags.out ? '' : ' (used instead of the shipped book from now on; delete it to go back)'}.`);
    out(
      'Stored invocations keep their cost until you re-price them: `npx bedrock-insights prices reprice --dry-run` shows what would change.',
    );
  }
}

/** --prices and --format may be given before or after the subcommand name (commander gives them to either). */
function withParent<F extends { format?: Format; prices?: string }>(flags: F, cmd: Command): F & { format: Format } {
  const parent = cmd.parent?.opts<{ format?: Format; prices?: string }>() ?? {};
  return { ...flags, prices: flags.prices ?? parent.prices, format: flags.format ?? parent.format ?? 'table' };
}

export function registerPrices(program: Command): void {
  const prices = program
    .command('prices')
    .description(
      'The price book: list prices, find models without a price, re-price stored invocations, resolve application inference profiles.',
    )
    .addOption(formatOption(['table', 'json']).default(undefined, 'table'))
    .option('--model <substr>', 'only model ids containing this text')
    .option(
      '--prices <file>',
      'user prices file extending the shipped book (default $BEDROCK_INSIGHTS_PRICES, else ~/.bedrock-insights/prices.json if present)',
    )
    .addHelpText(
      'after',
      `
Examples:
  npx bedrock-insights prices --model claude-sonnet
  npx bedrock-insights prices check
  npx bedrock-insights prices reprice --dry-run
  npx bedrock-insights prices profiles
  npx bedrock-insights prices update --from model_prices_and_context_window.json

The user prices file (JSON) adds or overrides prices, applies a discount off list prices (EDP,
private pricing) and maps application inference profiles:
  {"version": "acme-2026-11",
   "discount": {"percent": 8, "models": {"anthropic.claude-opus-4-6-v1": 12}, "note": "EDP 2026"},
   "prices": [{"model": "us.anthropic.claude-sonnet-4-6", "input": 3.3, "output": 16.5,
               "cacheRead": 0.33, "cacheWrite5m": 4.125, "cacheWrite1h": 6.6, "effective": "2026-12-01"}],
   "applicationProfiles": {"arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123": "us.anthropic.claude-sonnet-4-6"}}
The discount lowers the book's prices, not the file's own "prices" (taken as what you pay); the
book version every priced invocation carries (cost.priceVersion) ends in +discount-… when one applies.
A book older than ${STALE_BOOK_DAYS} days is flagged; \`prices update --from FILE\` takes a newer LiteLLM file
or the AWS Price List offer file of Amazon Bedrock.`,
    )
    .action((flags: ListFlags) => listPrices(flags));

  prices
    .command('check')
    .description(
      'List models seen in the store that have no price, with their tokens and how to add a price or mapping (exit 1 if any).',
    )
    .addOption(dbOption('read'))
    .addOption(formatOption(['table', 'json']).default(undefined, 'table'))
    .action(async (flags: DbFlags, cmd: Command) => checkPrices(withParent(flags, cmd)));

  prices
    .command('reprice')
    .description(
      'Recompute the cost of every stored invocation with the current price book; prints the changes per model and month first.',
    )
    .addOption(dbOption('read'))
    .option('--dry-run', 'print what would change and change nothing')
    .addOption(formatOption(['table', 'json']).default(undefined, 'table'))
    .action(async (flags: DbFlags, cmd: Command) => repriceStore(withParent(flags, cmd)));

  prices
    .command('update')
    .description(
      "Build your own price book from a newer LiteLLM model_prices_and_context_window.json (https://github.com/BerriAI/litellm) or AWS's Price List offer file of Amazon Bedrock, print what changes against the book in use, and use it from now on (~/.bedrock-insights/price-book.json, or $BEDROCK_INSIGHTS_PRICE_BOOK).",
    )
    .requiredOption(
      '--from <file>',
      "LiteLLM's model_prices_and_context_window.json, or the AWS Price List AmazonBedrock index.json (recognised by content)",
    )
    .option(
      '--date <yyyy-mm-dd>',
      "the day the file was downloaded (default: its last_updated, else today): the book's date",
    )
    .option(
      '--out <file>',
      'write the book here instead (it is then not used unless named by $BEDROCK_INSIGHTS_PRICE_BOOK)',
    )
    .option('--dry-run', 'print the changes and write nothing')
    .addOption(formatOption(['table', 'json']).default(undefined, 'table'))
    .addHelpText(
      'after',
      `
From LiteLLM's file the book is built exactly as the shipped one (the same selection of Bedrock
entries, the same derived prices, AWS's cache prices where LiteLLM has none). The AWS offer file
prices only part of Bedrock (on-demand, in-region, per region; current Claude models are under other
offer codes): its prices replace or add those regional entries and the rest of the book stays; AWS
model names without a known model id are listed, not guessed. Your prices file (discount, overrides,
mappings) still applies on top. Stored costs change only with \`prices reprice\`.
Examples:
  curl -sLO https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json
  npx bedrock-insights prices update --from model_prices_and_context_window.json
  curl -sL -o bedrock-offer.json https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonBedrock/current/index.json
  npx bedrock-insights prices update --from bedrock-offer.json --dry-run
  npx bedrock-insights prices reprice --dry-run`,
    )
    .action(async (flags: UpdateFlags, cmd: Command) => updatePrices({ ...flags, ...withParent(flags, cmd) }));

  prices
    .command('profiles')
    .description(
      "Resolve the application inference profile ARNs seen in the store with Bedrock's GetInferenceProfile (AWS credentials from the standard chain), keep each answer as a dated snapshot, price the invocations waiting for it, and list them (exit 1 if one stays unresolved). Ingest never makes these calls.",
    )
    .addOption(dbOption('read'))
    .option('--endpoint-url <url>', 'Bedrock control-plane endpoint (VPC endpoint, test server)')
    .option(
      '--region <region>',
      "region to call for an ARN without one (default us-east-1); otherwise each ARN's own region",
    )
    .option('--refresh', 'ask again for profiles that have a snapshot (a deleted profile keeps its snapshot)')
    .addOption(formatOption(['table', 'json']).default(undefined, 'table'))
    .action(async (flags: ProfileFlags, cmd: Command) => resolveProfiles({ ...flags, ...withParent(flags, cmd) }));
}
