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

export const ACCOUNT_ID_ENV = 'BEDROCK_INSIGHTS_ACCOUNT_ID';

interface KeyEntry {
  id: string;
  secret: string;
  accountId?: string;
}

function accountId(value: unknown, where: string): string {
  if (typeof value !== 'string' || !/^\d{12}$/.test(value))
    throw new BiError('ACCESS_KEYS_INVALID', `${where} must be a 12-digit AWS account id.`);
  return value;
}

/**
 * The `accessKeys` member of a server config file: `{"ID": "SECRET"}` or
 * `{"ID": {"secretAccessKey", "accountId"}}`, a list of `{"accessKeyId", "secretAccessKey",
 * "accountId"?}`, or the `ID:SECRET,…` string form. `accountId` is the account the key acts for.
 */
function keyEntries(value: unknown): KeyEntry[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [...parseAccessKeyList(value)].map(([id, secret]) => ({ id, secret }));
  const entry = (id: unknown, secret: unknown, account: unknown, where: string): KeyEntry => {
    if (typeof id !== 'string' || !id || typeof secret !== 'string' || !secret)
      throw new BiError('ACCESS_KEYS_INVALID', `${where} needs a non-empty access key id and secret string.`);
    return { id, secret, ...(account !== undefined ? { accountId: accountId(account, `${where}.accountId`) } : {}) };
  };
  if (Array.isArray(value)) {
    return value.map((e: unknown, i) => {
      const r = (e ?? {}) as { accessKeyId?: unknown; secretAccessKey?: unknown; accountId?: unknown };
      return entry(r.accessKeyId, r.secretAccessKey, r.accountId, `accessKeys entry ${i + 1}`);
    });
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).map(([id, v]) => {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const r = v as { secretAccessKey?: unknown; accountId?: unknown };
        return entry(id, r.secretAccessKey, r.accountId, `accessKeys.${id}`);
      }
      return entry(id, v, undefined, `accessKeys.${id}`);
    });
  }
  throw new BiError(
    'ACCESS_KEYS_INVALID',
    'accessKeys must be an object of ID -> SECRET, a list of {accessKeyId, secretAccessKey}, or "ID:SECRET,…".',
  );
}

/** Access key id -> secret from a config file's `accessKeys` member (forms: see keyEntries). */
export function accessKeysFromConfig(value: unknown): Map<string, string> {
  return new Map(keyEntries(value).map((e) => [e.id, e.secret]));
}

export interface LoadAccessKeysOptions {
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** A JSON config file with an `accessKeys` member (top level or under `cloudwatch`). */
  configPath?: string;
  /** Keys given on the command line (`--access-keys ID:SECRET,…`). */
  explicit?: string;
}

/** Who may call the API and for which account. */
export interface ApiCredentials {
  keys: Map<string, string>;
  /** Access key id -> the account it acts for (only keys configured with one). */
  accounts: Map<string, string>;
  /** The account of keys configured without one (`accountId` in the config, or $BEDROCK_INSIGHTS_ACCOUNT_ID). */
  accountId?: string;
}

/**
 * Keys from the config file, then the environment, then the command line (later ones win per
 * id); the default account from the environment, else the config file.
 */
export function loadApiCredentials(opts: LoadAccessKeysOptions = {}): ApiCredentials {
  const out: ApiCredentials = { keys: new Map(), accounts: new Map() };
  const add = (entries: KeyEntry[]): void => {
    for (const e of entries) {
      out.keys.set(e.id, e.secret);
      if (e.accountId) out.accounts.set(e.id, e.accountId);
      else out.accounts.delete(e.id);
    }
  };
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
      const p = parsed as {
        accessKeys?: unknown;
        accountId?: unknown;
        cloudwatch?: { accessKeys?: unknown; accountId?: unknown };
      };
      add(keyEntries(p.cloudwatch?.accessKeys ?? p.accessKeys));
      const acct = p.cloudwatch?.accountId ?? p.accountId;
      if (acct !== undefined) out.accountId = accountId(acct, `accountId in ${opts.configPath}`);
    }
  }
  const env = opts.env ?? process.env;
  if (env[ACCESS_KEYS_ENV]) add(keyEntries(env[ACCESS_KEYS_ENV]));
  if (opts.explicit) add(keyEntries(opts.explicit));
  if (env[ACCOUNT_ID_ENV]) out.accountId = accountId(env[ACCOUNT_ID_ENV], `$${ACCOUNT_ID_ENV}`);
  return out;
}

/** The access keys alone (id -> secret), as loadApiCredentials finds them. */
export function loadAccessKeys(opts: LoadAccessKeysOptions = {}): Map<string, string> {
  return loadApiCredentials(opts).keys;
}
