import type { CacheSavings, Change } from './wire.js';

/**
 * The words of the cost KPIs, shared by the HTML report and the console's Cost page (pure: the
 * web console imports this file, so it takes its formatters as arguments and imports no code).
 */

/** "Net saving $1,286.42 (after a $24.75 write premium)": which figure is which, in one line. */
export function cacheKpi(
  c: Pick<CacheSavings, 'readTokens' | 'writeTokens' | 'savings' | 'writePremium' | 'net'>,
  usd: (x: number) => string,
): { value: string; sub: string } {
  if (c.readTokens === 0 && c.writeTokens === 0) return { value: usd(0), sub: 'no prompt caching in this period' };
  const sub =
    c.writePremium >= 0
      ? `Net saving ${usd(c.net)} (after a ${usd(c.writePremium)} write premium)`
      : `Net saving ${usd(c.net)} (cache writes cost ${usd(-c.writePremium)} less than input)`;
  return { value: usd(c.savings), sub };
}

/** "▲ 12.5% vs $85.92", or why there is no change to show (no data, or a partly covered previous period). */
export function changeText(
  c: Change,
  fmt: (x: number) => string,
  pct: (share: number) => string,
): { text: string; cls: 'up' | 'down' | 'flat' | 'note' } {
  if (c.ratio === null) return { text: c.note ?? 'no data in the previous period', cls: 'note' };
  if (Math.abs(c.ratio) < 0.0005) return { text: `0.0% vs ${fmt(c.previous)}`, cls: 'flat' };
  return {
    text: `${c.ratio > 0 ? '▲' : '▼'} ${pct(Math.abs(c.ratio))} vs ${fmt(c.previous)}`,
    cls: c.ratio > 0 ? 'up' : 'down',
  };
}
