import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { CwApiError } from './errors.js';

/**
 * AWS Signature Version 4 verification for the CloudWatch Logs endpoint (signing name `logs`).
 * The signature is recomputed from whatever `SignedHeaders` lists (the CLI and the JS SDK sign
 * different sets), over the raw body bytes. Secrets never appear in errors or logs.
 */

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const SERVICE = 'logs';
/** CloudWatch Logs' own "Signature expired" messages show a 5-minute window. */
export const DEFAULT_MAX_SKEW_MS = 5 * 60 * 1000;

export type HeaderBag = Record<string, string | string[] | undefined>;

export interface SignedRequest {
  method: string;
  /** The path exactly as received (without the query string). */
  path: string;
  /** The raw query string without `?` (normally empty). */
  query?: string;
  headers: HeaderBag;
  rawBody: Buffer;
}

export interface VerifyOptions {
  /** Access key id -> secret access key. */
  keys: ReadonlyMap<string, string>;
  /** Server time, epoch ms (tests pin it). */
  now?: number;
  maxSkewMs?: number;
}

export interface VerifiedCaller {
  accessKeyId: string;
  region: string;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Header value by lowercase name; duplicates are joined with ',' as SigV4 asks. */
export function header(headers: HeaderBag, name: string): string | undefined {
  const direct = headers[name];
  let v = direct;
  if (v === undefined) {
    for (const k of Object.keys(headers)) {
      if (k.toLowerCase() === name) {
        v = headers[k];
        break;
      }
    }
  }
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(',') : v;
}

function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Non-S3 services encode each path segment once more (so `%` in a received path becomes `%25`). */
export function canonicalUri(path: string): string {
  if (!path) return '/';
  return path.split('/').map(encodeRfc3986).join('/');
}

export function canonicalQuery(query: string | undefined): string {
  if (!query) return '';
  const pairs = query
    .split('&')
    .filter(Boolean)
    .map((p) => {
      const i = p.indexOf('=');
      const k = decodeURIComponent((i < 0 ? p : p.slice(0, i)).replace(/\+/g, ' '));
      const v = i < 0 ? '' : decodeURIComponent(p.slice(i + 1).replace(/\+/g, ' '));
      return [encodeRfc3986(k), encodeRfc3986(v)] as const;
    });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export function canonicalRequest(req: SignedRequest, signedHeaders: string[], payloadHash: string): string {
  const lines = signedHeaders.map((h) => `${h}:${(header(req.headers, h) ?? '').trim().replace(/\s+/g, ' ')}\n`);
  return [
    req.method.toUpperCase(),
    canonicalUri(req.path),
    canonicalQuery(req.query),
    lines.join(''),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

export function stringToSign(amzDate: string, scope: string, canonicalRequestText: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequestText)}`;
}

const keyCache = new Map<string, Buffer>();

export function signingKey(secret: string, date: string, region: string, service: string = SERVICE): Buffer {
  const cacheKey = `${sha256Hex(secret)}/${date}/${region}/${service}`;
  const hit = keyCache.get(cacheKey);
  if (hit) return hit;
  const kDate = hmac(`AWS4${secret}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  const key = hmac(kService, 'aws4_request');
  if (keyCache.size > 256) keyCache.clear();
  keyCache.set(cacheKey, key);
  return key;
}

export function signature(key: Buffer, toSign: string): string {
  return createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
}

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
}

const incomplete = (what: string): CwApiError =>
  new CwApiError(
    'IncompleteSignatureException',
    `${what} Authorization=AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/logs/aws4_request, SignedHeaders=<headers>, Signature=<hex>`,
  );

export function parseAuthorization(value: string): ParsedAuthorization {
  const v = value.trim();
  if (!v.startsWith(`${ALGORITHM} `)) {
    throw incomplete(`Unsupported authorization type: only ${ALGORITHM} is accepted.`);
  }
  const parts = new Map<string, string>();
  for (const piece of v.slice(ALGORITHM.length).split(',')) {
    const p = piece.trim();
    const i = p.indexOf('=');
    if (i > 0) parts.set(p.slice(0, i).trim(), p.slice(i + 1).trim());
  }
  const credential = parts.get('Credential');
  const signed = parts.get('SignedHeaders');
  const sig = parts.get('Signature');
  if (!credential) throw incomplete(`Authorization header requires 'Credential' parameter.`);
  if (!signed) throw incomplete(`Authorization header requires 'SignedHeaders' parameter.`);
  if (!sig) throw incomplete(`Authorization header requires 'Signature' parameter.`);
  const scope = credential.split('/');
  if (scope.length !== 5 || scope.some((s) => s === '')) {
    throw incomplete(
      `Credential should be scoped to a valid region, like <key>/<yyyymmdd>/<region>/logs/aws4_request; got '${scope.slice(1).join('/')}'.`,
    );
  }
  if (!/^[0-9a-f]{64}$/.test(sig)) throw incomplete('The Signature parameter must be 64 lowercase hex characters.');
  return {
    accessKeyId: scope[0],
    date: scope[1],
    region: scope[2],
    service: scope[3],
    terminator: scope[4],
    signedHeaders: signed
      .split(';')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    signature: sig,
  };
}

/** `20240115T120000Z` -> epoch ms, or NaN. */
export function parseAmzDate(v: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  if (!m) return NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

export function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

const badSignature = (): CwApiError =>
  new CwApiError(
    'InvalidSignatureException',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );

/** What the headers alone establish: who signed, with which secret, when. */
export interface SignatureHeaders {
  auth: ParsedAuthorization;
  secret: string;
  amzDate: string;
}

/**
 * Every check that needs only the headers (presence and form of Authorization, a known key,
 * X-Amz-Date within the skew): run before the body is read, so an unauthenticated client cannot
 * make the server buffer anything. Throws the AWS-shaped error.
 */
export function checkSignatureHeaders(headers: HeaderBag, opts: VerifyOptions): SignatureHeaders {
  const auth = header(headers, 'authorization');
  if (!auth) throw new CwApiError('MissingAuthenticationTokenException', 'Request is missing Authentication Token');
  const a = parseAuthorization(auth);
  if (a.service !== SERVICE) {
    throw incomplete(`Credential should be scoped to correct service: '${SERVICE}', not '${a.service}'.`);
  }
  if (a.terminator !== 'aws4_request')
    throw incomplete(`Credential should be scoped with a valid terminator: 'aws4_request', not '${a.terminator}'.`);
  const amzDate = header(headers, 'x-amz-date');
  if (!amzDate)
    throw incomplete(`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.`);
  const signedAt = parseAmzDate(amzDate.trim());
  if (Number.isNaN(signedAt))
    throw incomplete(`X-Amz-Date must be in the form yyyyMMdd'T'HHmmss'Z', got '${amzDate}'.`);
  if (amzDate.trim().slice(0, 8) !== a.date) {
    throw new CwApiError(
      'InvalidSignatureException',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${a.date}' != '${amzDate.trim().slice(0, 8)}', from '${amzDate.trim()}'.`,
    );
  }
  for (const required of ['host', 'x-amz-date']) {
    if (!a.signedHeaders.includes(required))
      throw new CwApiError('InvalidSignatureException', `'${required}' must be a signed header.`);
  }
  const secret = opts.keys.get(a.accessKeyId);
  if (secret === undefined)
    throw new CwApiError('UnrecognizedClientException', 'The security token included in the request is invalid.');

  const now = opts.now ?? Date.now();
  const skew = opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  const minutes = Math.round(skew / 60000);
  if (signedAt < now - skew) {
    throw new CwApiError(
      'InvalidSignatureException',
      `Signature expired: ${amzDate.trim()} is now earlier than ${formatAmzDate(now - skew)} (${formatAmzDate(now)} - ${minutes} min.)`,
    );
  }
  if (signedAt > now + skew) {
    throw new CwApiError(
      'InvalidSignatureException',
      `Signature not yet current: ${amzDate.trim()} is still later than ${formatAmzDate(now + skew)} (${formatAmzDate(now)} + ${minutes} min.)`,
    );
  }
  return { auth: a, secret, amzDate: amzDate.trim() };
}

/** Verifies a request; returns the caller or throws the AWS-shaped error the real service uses. */
export function verifySigV4(req: SignedRequest, opts: VerifyOptions): VerifiedCaller {
  const { auth: a, secret, amzDate } = checkSignatureHeaders(req.headers, opts);

  const payloadHash = sha256Hex(req.rawBody);
  const declared = header(req.headers, 'x-amz-content-sha256');
  if (
    declared !== undefined &&
    declared.trim() !== 'UNSIGNED-PAYLOAD' &&
    declared.trim().toLowerCase() !== payloadHash
  ) {
    throw new CwApiError(
      'InvalidSignatureException',
      'The provided x-amz-content-sha256 header does not match what was computed.',
    );
  }
  const creq = canonicalRequest(req, a.signedHeaders, payloadHash);
  const scope = `${a.date}/${a.region}/${a.service}/${a.terminator}`;
  const expected = signature(signingKey(secret, a.date, a.region), stringToSign(amzDate, scope, creq));
  const x = Buffer.from(expected, 'utf8');
  const y = Buffer.from(a.signature, 'utf8');
  if (x.length !== y.length || !timingSafeEqual(x, y)) throw badSignature();
  return { accessKeyId: a.accessKeyId, region: a.region };
}
