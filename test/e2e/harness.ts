import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core (never `npx playwright install`). */
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = resolve('test-artifacts');

export async function launchBrowser(
  viewport = { width: 1440, height: 900 },
): Promise<{ ctx: BrowserContext; close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install it with "apt-get install -y chromium" (.ci/run does).`);
  const profile = mkdtempSync(join(tmpdir(), 'bi-e2e-profile-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    ctx,
    close: async () => {
      await ctx.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/** The two sizes the console's screenshots are looked at in: a laptop and a small window. */
export const REVIEW_VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 1024, height: 768 },
] as const;

/** Screenshots `page` at each review size as `<name>-<w>x<h>.png`, then returns it to the first size. */
export async function screenshotAtReviewSizes(page: Page, name: string): Promise<void> {
  for (const vp of REVIEW_VIEWPORTS) {
    await page.setViewportSize(vp);
    await page.waitForTimeout(300);
    await page.screenshot({ path: artifact(`${name}-${vp.width}x${vp.height}.png`) });
  }
  await page.setViewportSize(REVIEW_VIEWPORTS[0]);
}
