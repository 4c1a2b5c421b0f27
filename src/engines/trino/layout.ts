/**
 * Reads the shape of a delivery location: which account and region folders exist and the first
 * hour folder, so the table's projection enumerates exactly those (an enum projection needs its
 * values written down; Athena and Trino never list to find them). A local folder is read with
 * readdir, an s3:// location with ListObjectsV2 and Delimiter '/', a few requests per level.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { BiError, errorMessage } from '../../util/errors.js';
import type { AwsClientOptions } from '../../sources/aws.js';
import { deliveryRoot, type DeliveryTable } from './table.js';

export interface LayoutOptions {
  /** Given values are used as they are and that level is not listed. */
  accounts?: string[];
  regions?: string[];
  /** First day of the projection, YYYY-MM-DD (default: the first hour folder found). */
  from?: string;
  /** For s3:// locations: client settings, or a client. */
  aws?: AwsClientOptions & { client?: S3Client };
}

/** Child folder names of a folder (relative to the root), sorted. */
export type Lister = (path: string) => Promise<string[]>;

const LOGS_DIR = 'BedrockModelInvocationLogs';
/** Date folder names per level below a region: YYYY, MM, DD, HH. */
const DATE_LEVELS = [/^\d{4}$/, /^\d{2}$/, /^\d{2}$/, /^\d{2}$/];

export async function describeLayout(location: string, opts: LayoutOptions = {}): Promise<DeliveryTable> {
  const isS3 = location.startsWith('s3://');
  if (!isS3 && /^[a-z][a-z0-9+.-]*:\/\//i.test(location))
    throw new BiError('INVALID_ARGUMENT', `--location must be a local folder or an s3:// URL (got "${location}").`);
  const root = isS3 ? deliveryRoot(location) : resolve(location);
  const list = isS3 ? s3Lister(root, opts.aws ?? {}) : localLister(root);
  const accounts = opts.accounts ?? (await list('AWSLogs'));
  const regions =
    opts.regions ??
    [...new Set((await Promise.all(accounts.map((a) => list(`AWSLogs/${a}/${LOGS_DIR}`)))).flat())].sort();
  let firstHour = opts.from !== undefined ? fromDay(opts.from) : undefined;
  if (firstHour === undefined) {
    const firsts: string[] = [];
    for (const a of accounts)
      for (const r of regions) {
        const h = await firstDatePath(list, `AWSLogs/${a}/${LOGS_DIR}/${r}`, 0);
        if (h) firsts.push(h);
      }
    // No hour folder yet (logging just configured): start now; later hours are inside "…,NOW".
    firstHour = firsts.sort()[0] ?? currentHour();
  }
  return { root, accounts, regions, firstHour };
}

/** `YYYY-MM-DD` → `YYYY/MM/DD/00`. */
function fromDay(text: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = Date.parse(`${text}T00:00:00Z`);
  // Date.parse takes 2024-02-30 (as March 1st): the round trip catches days a month lacks.
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text)
    throw new BiError('INVALID_ARGUMENT', `--from must be a date YYYY-MM-DD (got "${text}").`);
  return `${m[1]}/${m[2]}/${m[3]}/00`;
}

function currentHour(): string {
  return new Date().toISOString().slice(0, 13).replace(/[-T]/g, '/');
}

/** The smallest YYYY/MM/DD/HH path below `path`, skipping empty branches; null when none. */
async function firstDatePath(list: Lister, path: string, level: number): Promise<string | null> {
  if (level === DATE_LEVELS.length) return '';
  const names = (await list(path)).filter((n) => DATE_LEVELS[level].test(n));
  for (const n of names) {
    const rest = await firstDatePath(list, `${path}/${n}`, level + 1);
    if (rest !== null) return rest === '' ? n : `${n}/${rest}`;
  }
  return null;
}

export function localLister(root: string): Lister {
  let st;
  try {
    st = statSync(root);
  } catch {
    throw new BiError('NOT_FOUND', `--location ${root} does not exist; give the folder that holds AWSLogs/.`);
  }
  if (!st.isDirectory()) throw new BiError('INVALID_ARGUMENT', `--location ${root} is not a folder.`);
  return async (path) => {
    try {
      return readdirSync(join(root, path), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new BiError('NOT_FOUND', `Cannot read ${join(root, path)}: ${errorMessage(e)}`);
    }
  };
}

/**
 * Lists with the AWS SDK, loaded on the first listing only: `athena ddl` with --accounts,
 * --log-regions and --from never touches AWS, nor loads its SDK.
 */
export function s3Lister(root: string, aws: AwsClientOptions & { client?: S3Client }): Lister {
  let ready: Promise<(path: string) => Promise<string[]>> | undefined;
  const connect = async (): Promise<(path: string) => Promise<string[]>> => {
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const { makeS3Client, parseS3Url } = await import('../../sources/s3/source.js');
    const { awsError } = await import('../../sources/aws.js');
    const { bucket, prefix } = parseS3Url(root);
    const client = aws.client ?? makeS3Client(aws);
    return async (path) => {
      const full = `${prefix ? `${prefix}/` : ''}${path}/`;
      const names: string[] = [];
      let token: string | undefined;
      try {
        do {
          const page = await client.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: full, Delimiter: '/', ContinuationToken: token }),
          );
          for (const cp of page.CommonPrefixes ?? [])
            if (cp.Prefix) names.push(cp.Prefix.slice(full.length).replace(/\/$/, ''));
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
      } catch (e) {
        throw awsError(e, `list s3://${bucket}/${full} (or pass --accounts, --log-regions and --from)`);
      }
      return names.sort();
    };
  };
  return async (path) => (await (ready ??= connect()))(path);
}
