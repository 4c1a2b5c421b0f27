import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BiError } from '../util/errors.js';

/**
 * Print an HTML file to PDF, or screenshot it to PNG, with the system's Chromium through
 * playwright-core (never a downloaded browser). The flags are the ones that work headless in
 * containers (see ../shared/research/ecosystem.md section 4).
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumPath(): string {
  const candidates = [
    process.env.BEDROCK_INSIGHTS_CHROMIUM,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ].filter((x): x is string => Boolean(x));
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new BiError(
      'CHROMIUM_MISSING',
      'No Chromium found for --pdf: install it (Debian: apt-get install -y chromium) or set BEDROCK_INSIGHTS_CHROMIUM to its path.',
    );
  return found;
}

async function withPage<T>(
  htmlFile: string,
  width: number,
  fn: (page: import('playwright-core').Page) => Promise<T>,
): Promise<T> {
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new BiError(
      'PLAYWRIGHT_MISSING',
      'PDF output needs the playwright-core package: npm install playwright-core.',
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'bi-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width, height: 900 },
  });
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load' });
    return await fn(page);
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

export async function htmlToPdf(htmlFile: string, pdfFile: string): Promise<void> {
  await withPage(htmlFile, 1100, async (page) => {
    await page.emulateMedia({ media: 'print' });
    await page.pdf({
      path: pdfFile,
      format: 'A4',
      printBackground: true,
      margin: { top: '14mm', bottom: '14mm', left: '12mm', right: '12mm' },
    });
  });
}

export async function htmlToPng(htmlFile: string, pngFile: string, width = 1100): Promise<void> {
  await withPage(htmlFile, width, async (page) => {
    await page.screenshot({ path: pngFile, fullPage: true });
  });
}
