import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BiError } from '../util/errors.js';
import { perStoreFile } from '../util/store-files.js';

/**
 * The server's config file of one store (`<store>.config.json`, mode 0600).
 * Holds the console access token; other server features (the CloudWatch API's access keys) may
 * add their own keys: unknown keys are preserved on write.
 */
export interface ServerConfig {
  consoleToken?: string;
  [key: string]: unknown;
}

export const TOKEN_ENV = 'BEDROCK_INSIGHTS_TOKEN';

/**
 * `<store>.config.json`: the console token and the CloudWatch API's access keys of one store (two
 * stores in a folder no longer share secrets; a folder's old server.json is copied once: see
 * perStoreFile). Not `<store>.server.json`: that one exists only while a server runs (src/control).
 */
export function serverConfigPath(dbPath: string): string | undefined {
  if (dbPath === ':memory:') return undefined;
  return perStoreFile(dbPath, 'config.json', 'server.json');
}

export function readServerConfig(path: string): ServerConfig {
  if (!existsSync(path)) return {};
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as ServerConfig) : {};
  } catch (e) {
    throw new BiError(
      'CONFIG_INVALID',
      `The server config ${path} is not valid JSON (${(e as Error).message}); fix or delete it.`,
    );
  }
}

export function writeServerConfig(path: string, cfg: ServerConfig): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(cfg, null, 2) + '\n', { mode: 0o600 });
  try {
    chmodSync(path, 0o600);
  } catch {
    /* best effort on odd filesystems */
  }
}

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The console token: `--token`, else $BEDROCK_INSIGHTS_TOKEN, else the config file's, else (when
 * `create`) a new one written to the config file. `generated` tells the caller to print it.
 */
export function resolveConsoleToken(opts: { explicit?: string; configPath?: string; create: boolean }): {
  token?: string;
  generated: boolean;
  source: string;
} {
  if (opts.explicit) return { token: opts.explicit, generated: false, source: '--token' };
  const env = process.env[TOKEN_ENV];
  if (env) return { token: env, generated: false, source: TOKEN_ENV };
  if (opts.configPath) {
    const cfg = readServerConfig(opts.configPath);
    if (typeof cfg.consoleToken === 'string' && cfg.consoleToken)
      return { token: cfg.consoleToken, generated: false, source: opts.configPath };
    if (opts.create) {
      const token = generateToken();
      writeServerConfig(opts.configPath, { ...cfg, consoleToken: token });
      return { token, generated: true, source: opts.configPath };
    }
    return { generated: false, source: 'none' };
  }
  if (opts.create) return { token: generateToken(), generated: true, source: 'memory' };
  return { generated: false, source: 'none' };
}

/** Loopback hosts need no token; anything else (0.0.0.0, a LAN address, a name) does. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
