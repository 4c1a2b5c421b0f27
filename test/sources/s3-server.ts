import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * A minimal S3-protocol server for tests (s3rver 3.7 answers the current SDK's PutObject with
 * InternalError on Node 20): serves folders as buckets, path-style, ListObjectsV2 (prefix,
 * delimiter, max-keys, start-after, continuation-token) and GetObject. Records each GetObject key,
 * each list call and how many keys the lists returned, so tests can see what a run read.
 * Requests without a SigV4 Authorization header are refused.
 */
export interface TestS3 {
  url: string;
  gets: string[];
  lists: number;
  /** Object keys returned by all list calls (common prefixes not counted). */
  keysListed: number;
  close(): Promise<void>;
}

function walk(root: string, dir: string, out: { key: string; size: number; mtime: Date }[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(root, p, out);
    else if (e.isFile()) {
      const st = statSync(p);
      out.push({ key: relative(root, p).split(sep).join('/'), size: st.size, mtime: st.mtime });
    }
  }
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export async function startTestS3(buckets: Record<string, string>, pageSize = 1000): Promise<TestS3> {
  const state = { gets: [] as string[], lists: 0, keysListed: 0 };
  const server: Server = createServer((req, res) => {
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
      res
        .writeHead(403, { 'content-type': 'application/xml' })
        .end('<Error><Code>AccessDenied</Code><Message>no signature</Message></Error>');
      return;
    }
    const u = new URL(req.url ?? '/', 'http://x');
    const [, bucket, ...rest] = u.pathname.split('/');
    const root = buckets[decodeURIComponent(bucket ?? '')];
    if (!root) {
      res
        .writeHead(404, { 'content-type': 'application/xml' })
        .end('<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>');
      return;
    }
    const key = rest.map(decodeURIComponent).join('/');
    if (key === '' && u.searchParams.get('list-type') === '2') {
      state.lists++;
      const prefix = u.searchParams.get('prefix') ?? '';
      const max = Math.min(pageSize, Number(u.searchParams.get('max-keys') ?? 1000));
      const after = u.searchParams.get('continuation-token') ?? u.searchParams.get('start-after') ?? '';
      const delimiter = u.searchParams.get('delimiter') ?? '';
      const all: { key: string; size: number; mtime: Date }[] = [];
      walk(root, root, all);
      // Entries in key order: objects, and with a delimiter the common prefixes that group the rest.
      const entries = new Map<string, { key: string; size: number; mtime: Date } | null>();
      for (const o of all) {
        if (!o.key.startsWith(prefix)) continue;
        const cut = delimiter ? o.key.indexOf(delimiter, prefix.length) : -1;
        if (cut >= 0) entries.set(o.key.slice(0, cut + delimiter.length), null);
        else entries.set(o.key, o);
      }
      const keys = [...entries.entries()].filter(([k]) => k > after).sort(([a], [b]) => (a < b ? -1 : 1));
      const page = keys.slice(0, max);
      const truncated = keys.length > max;
      const objects = page
        .filter(([, o]) => o !== null)
        .map(([, o]) => o as { key: string; size: number; mtime: Date });
      state.keysListed += objects.length;
      const body = `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${objects
        .map(
          (o) =>
            `<Contents><Key>${xml(o.key)}</Key><LastModified>${o.mtime.toISOString()}</LastModified><ETag>"x"</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
        )
        .join('')}${page
        .filter(([, o]) => o === null)
        .map(([k]) => `<CommonPrefixes><Prefix>${xml(k)}</Prefix></CommonPrefixes>`)
        .join(
          '',
        )}${truncated ? `<NextContinuationToken>${xml(page[page.length - 1][0])}</NextContinuationToken>` : ''}</ListBucketResult>`;
      res.writeHead(200, { 'content-type': 'application/xml' }).end(body);
      return;
    }
    let data: Buffer;
    try {
      data = readFileSync(join(root, ...key.split('/')));
    } catch {
      res
        .writeHead(404, { 'content-type': 'application/xml' })
        .end('<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
      return;
    }
    state.gets.push(key);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(data.length) }).end(data);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get gets() {
      return state.gets;
    },
    get lists() {
      return state.lists;
    },
    get keysListed() {
      return state.keysListed;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
