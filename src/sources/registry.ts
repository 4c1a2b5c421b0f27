import { BiError } from '../util/errors.js';
import { cloudWatchAdapter } from './cloudwatch/source.js';
import { filesAdapter } from './files/source.js';
import { s3Adapter } from './s3/source.js';
import type { SourceAdapter, SourceConfig } from './source.js';

/**
 * Every kind of source, in the order they are asked whether a URL is theirs (a local path, having
 * no scheme, is the files adapter's). `ingest` and `sync` dispatch through here: a new kind of
 * source is a folder with its adapter and one line in this list.
 */
export const ADAPTERS: readonly SourceAdapter[] = [s3Adapter, cloudWatchAdapter, filesAdapter];

export function adapterFor(url: string): SourceAdapter {
  const a = ADAPTERS.find((x) => x.accepts(url));
  if (!a)
    throw new BiError(
      'INVALID_ARGUMENT',
      `"${url}" is not a source: give ${ADAPTERS.map((x) => x.example).join(', ')}.`,
    );
  return a;
}

/** Throws a BiError when the URL names no usable source; returns it as sources.json keeps it. */
export function canonicalSourceUrl(url: string): string {
  return adapterFor(url).canonical(url);
}

export function openSource(cfg: SourceConfig, run?: { listing?: 'full' | 'recent' }) {
  return adapterFor(cfg.url).open(cfg, run);
}
