import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_LOG_GROUP } from '../../logs/event.js';
import { BiError, errorMessage, isBiError } from '../../util/errors.js';
import type { ItemRead, Listing, RecordSink, Source, SourceAdapter, SourceItem } from '../source.js';
import { readFileInto } from './read.js';
import { discoverFiles } from './walk.js';

export interface FilesSourceOptions {
  logGroup?: string;
  keepBodies?: boolean;
}

/**
 * Local files and folders (read recursively): the S3 delivery layout as `aws s3 sync` copies it,
 * CloudWatch exports, Firehose objects, hand-made .jsonl. An item is a file; its checkpoint is
 * its path, size and mtime, and its mtime is its records' @ingestionTime (`aws s3 sync` sets it to
 * the object's LastModified: when Bedrock delivered it).
 */
export class FilesSource implements Source {
  readonly unit = 'files';
  readonly pipeline = true;
  readonly logGroup: string;

  constructor(
    readonly paths: string[],
    private readonly opts: FilesSourceOptions = {},
  ) {
    this.logGroup = opts.logGroup ?? DEFAULT_LOG_GROUP;
  }

  get url(): string {
    return this.paths.join(' ');
  }

  list(): Promise<Listing<SourceItem>> {
    const found = discoverFiles(this.paths);
    const items = found.files.map((f): SourceItem => ({
      name: f.path,
      size: f.size,
      version: { size: f.size, mtimeMs: f.mtimeMs },
      deliveredMs: f.mtimeMs,
    }));
    return Promise.resolve({
      items,
      total: { items: items.length, bytes: items.reduce((s, f) => s + f.size, 0) },
      problems: found.problems,
      links: found.links,
      notLogs: found.notLogs,
    });
  }

  async read(item: SourceItem, sink: RecordSink, onBytes: (b: number) => void): Promise<ItemRead> {
    try {
      return await readFileInto(item.name, sink, {
        keepBodies: this.opts.keepBodies ?? false,
        size: item.size,
        onBytes,
      });
    } catch (e) {
      if (isBiError(e)) throw e;
      // An unreadable file (gone, no permission, corrupt gzip, I/O error, too large a document)
      // is reported like a bad record and left without a checkpoint, so the next ingest tries it
      // again; the records read before the error are kept (stored once, whatever happens next).
      sink.reject(0, `cannot read the file: ${errorMessage(e)}`);
      return { records: 1, complete: false };
    }
  }
}

/** Local files and folders: any URL without a scheme. As a sync source, a folder kept by its absolute path. */
export const filesAdapter: SourceAdapter = {
  kind: 'local folder',
  example: './FOLDER (a folder `aws s3 sync` keeps current)',
  takesOverlap: false,
  accepts: (url) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(url),
  canonical(url) {
    const p = resolve(url);
    if (!existsSync(p) || !statSync(p).isDirectory())
      throw new BiError(
        'INGEST_PATH_NOT_FOUND',
        `No such folder: ${url}. Give the folder to watch (for example the target of aws s3 sync: ./AWSLogs).`,
        { path: url },
      );
    return p;
  },
  open: (cfg) =>
    new FilesSource([cfg.url], { ...(cfg.logGroup ? { logGroup: cfg.logGroup } : {}), keepBodies: cfg.keepBodies }),
};
