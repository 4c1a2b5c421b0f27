import { readFileSync } from 'node:fs';
import { BiError } from '../util/errors.js';

export const ACCESS_KEYS_ENV = 'BEDROCK_INSIGHTS_ACCESS_KEYS';

/**
 * `ID:SECRET,ID2:SECRET2` -> map. The secret is everything after the first `:` (AWS secrets
 * hold `/` and `+` but never `:`). Errors name the entry by position, never by its secret.
 */
export function parseAccessKeyList(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const entries = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  entries.forEach((entry, i) => {
    const c = entry.indexOf(':');
    const id = c > 0 ? entry.slice(0, c).trim() : '';
    const secret = c > 0 ? entry.slice(c + 1).trim() : '';
    if (!id || !secret) {
      throw new BiError(
        'ACCESS_KEYS_INVALID',
        `Access key entry ${i + 1} is not ACCESS_KEY_ID:SECRET; write ${ACCESS_KEYS_ENV} as ID:SECRET,ID2:SECRET2.`,
      );
    }
    out.set(id, secret);
  });
  return out;
}

/**
 * The `accessKeys` member of a server config file: either `{"ID": "SECRET"}`, a list of
 * `{"accessKeyId", "secretAccessKey"}`, or the `ID:SECRET,…` string form.
 */
export function accessKeysFromConfig(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (value === undefined || value === null) return out;
  if (typeof value === 'string') return parseAccessKeyList(value);
  if (Array.isArray(value)) {
    value.forEach((e, i) => {
      const r = e as { accessKeyId?: unknown; secretAccessKey?: unknown };
      if (
        !r ||
        typeof r.accessKeyId !== 'string' ||
        typeof r.secretAccessKey !== 'string' ||
        !r.accessKeyId ||
        !r.secretAccessKey
      ) {
        throw new BiError(
          'ACCESS_KEYS_INVALID',
          `accessKeys entry ${i + 1} needs string accessKeyId and secretAccessKey.`,
        );
      }
      out.set(r.accessKeyId, r.secretAccessKey);
    });
    return out;
  }
  if (typeof value === 'object') {
    for (const [id, secret] of Object.entries(value as Record<string, unknown>)) {
      if (typeof secret !== 'string' || !secret)
        throw new BiError('ACCESS_KEYS_INVALID', `accessKeys.${id} must be a non-empty secret string.`);
      out.set(id, secret);
    }
    return out;
  }
  throw new BiError(
    'ACCESS_KEYS_INVALID',
    'accessKeys must be an object of ID -> SECRET, a list of {accessKeyId, secretAccessKey}, or "ID:SECRET,…".',
  );
}

export interface LoadAccessKeysOptions {
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** A JSON config file with an `accessKeys` member (top level or under `cloudwatch`). */
  configPath?: string;
  /** Keys given on the command line (`--access-keys ID:SECRET,…`). */
  explicit?: string;
}

/** Keys from the config file, then the environment, then the command line (later ones win per id). */
export function loadAccessKeys(opts: LoadAccessKeysOptions = {}): Map<string, string> {
  const keys = new Map<string, string>();
  if (opts.configPath) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(opts.configPath, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new BiError(
          'CONFIG_INVALID',
          `Cannot read the server config ${opts.configPath}: ${(e as Error).message.split('\n')[0]}`,
        );
      }
    }
    if (parsed && typeof parsed === 'object') {
      const p = parsed as { accessKeys?: unknown; cloudwatch?: { accessKeys?: unknown } };
      for (const [k, v] of accessKeysFromConfig(p.cloudwatch?.accessKeys ?? p.accessKeys)) keys.set(k, v);
    }
  }
  const env = (opts.env ?? process.env)[ACCESS_KEYS_ENV];
  if (env) for (const [k, v] of parseAccessKeyList(env)) keys.set(k, v);
  if (opts.explicit) for (const [k, v] of parseAccessKeyList(opts.explicit)) keys.set(k, v);
  return keys;
}
