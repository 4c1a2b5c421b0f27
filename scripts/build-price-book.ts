/**
 * Builds the shipped price book, src/pricing/data/price-book.json, from the research team's
 * extract of LiteLLM's Bedrock prices and the AWS cache prices LiteLLM lacks, both kept in this
 * repository with their source and date (data/prices/; see data/README.md).
 *
 *   node --import tsx scripts/build-price-book.ts [LITELLM_EXTRACT_JSON [CACHE_SUPPLEMENT_JSON [OUT_JSON]]]
 *
 * The output is committed; run this again when a snapshot is refreshed. The conversion is
 * src/pricing/litellm.ts, the same one `bedrock-insights prices update --from FILE` uses.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBookFile, type CacheSupplement, type SourceFile } from '../src/pricing/litellm.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
/** The committed snapshots the shipped book is built from (data/README.md says where they came from). */
const DEFAULT_SOURCE = 'data/prices/bedrock-pricing-litellm-2026-07-24.json';
const DEFAULT_SUPPLEMENT = 'data/prices/aws-bedrock-cache-prices-2026-12-04.json';
const sourcePath = resolve(process.argv[2] ?? resolve(repo, DEFAULT_SOURCE));
const supplementPath = resolve(process.argv[3] ?? resolve(repo, DEFAULT_SUPPLEMENT));
const outPath = resolve(process.argv[4] ?? resolve(repo, 'src/pricing/data/price-book.json'));

const src = JSON.parse(readFileSync(sourcePath, 'utf8')) as SourceFile;
if (!/per 1,000,000 tokens/.test(src.units)) throw new Error(`unexpected units in ${sourcePath}: ${src.units}`);
const supplement = JSON.parse(readFileSync(supplementPath, 'utf8')) as CacheSupplement;

// Paths relative to the repository, so the book is the same wherever it is built.
const rel = (p: string): string => relative(repo, p).replace(/\\/g, '/');
const { book, derivations } = makeBookFile({
  source: src,
  supplements: [supplement],
  builtFrom: `${rel(sourcePath)} + ${rel(supplementPath)}`,
  builtBy: 'scripts/build-price-book.ts',
});
writeFileSync(outPath, `${JSON.stringify(book, null, 1)}\n`);
process.stdout.write(
  `price book ${book.version}: ${book.entries.length} entries, ${book.dropped.length} dropped -> ${outPath}\n`,
);
for (const n of derivations) process.stdout.write(`  note: ${n}\n`);
