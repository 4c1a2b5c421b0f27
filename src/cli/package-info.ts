import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The installed package: its root folder (two levels above this file, in src/cli/ and in
 * dist/cli/ alike), its version, and absolute paths to the files it ships, so that hints and help
 * texts name files that exist wherever the package was installed (`npx`, a global install, a clone).
 */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** An absolute path to a file the package ships (package.json "files"), e.g. `queries/bedrock/…`. */
export function packageFile(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}

/** The version in package.json. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}
