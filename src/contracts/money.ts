/**
 * Money as integer cents at the edges. Costs are summed as exact doubles (USD) and become cents
 * only where a statement is printed, so that rounding happens once and every printed column adds
 * up to its printed total.
 */

/** USD -> whole cents, half away from zero; the 1e-9 nudge absorbs float noise like 0.1 + 0.2. */
export function toCents(usd: number): number {
  if (!Number.isFinite(usd)) return 0;
  const c = usd * 100;
  return Math.sign(c) * Math.round(Math.abs(c) + 1e-9);
}

/**
 * Largest-remainder apportionment: split `totalCents` into integer parts proportional to
 * `weights`, that sum exactly to `totalCents`. Each part gets the floor of its quota; the cents
 * left go one each to the largest fractional remainders (ties: the larger weight, then the
 * earlier index, so the result is deterministic). Weights <= 0 or not finite get nothing unless
 * every weight is 0, in which case the total is split evenly.
 */
export function largestRemainder(totalCents: number, weights: readonly number[]): number[] {
  const n = weights.length;
  if (n === 0) return [];
  if (!Number.isInteger(totalCents)) throw new RangeError(`largestRemainder needs whole cents, got ${totalCents}`);
  if (totalCents < 0) return largestRemainder(-totalCents, weights).map((x) => (x === 0 ? 0 : -x));
  const w = weights.map((x) => (Number.isFinite(x) && x > 0 ? x : 0));
  let sum = w.reduce((a, b) => a + b, 0);
  const eff = sum > 0 ? w : w.map(() => 1);
  if (sum <= 0) sum = n;
  const quotas = eff.map((x) => (totalCents * x) / sum);
  const parts = quotas.map((q) => Math.floor(q + 1e-9));
  let left = totalCents - parts.reduce((a, b) => a + b, 0);
  const order = quotas
    .map((q, i) => ({ i, r: q - parts[i], w: eff[i] }))
    .sort((a, b) => b.r - a.r || b.w - a.w || a.i - b.i);
  for (let k = 0; left > 0 && k < order.length; k += 1, left -= 1) {
    const o = order[k];
    if (o.w > 0) parts[o.i] += 1;
    else left += 1; // a zero-weight part never takes a cent (only when every weight is 0 is eff all ones)
  }
  // More cents left than parts (cannot happen with floors, kept as a guard): give them in order.
  for (let k = 0; left > 0; k = (k + 1) % n, left -= 1) parts[order[k % order.length].i] += 1;
  return parts;
}

/** `$1,234.56` (negative: `-$1.20`). */
export function formatCents(cents: number): string {
  const neg = cents < 0;
  const a = Math.abs(cents);
  const dollars = Math.floor(a / 100).toLocaleString('en-US');
  return `${neg ? '-' : ''}$${dollars}.${String(a % 100).padStart(2, '0')}`;
}

/** Cents as a plain decimal for CSV: `1234.56`. */
export function centsDecimal(cents: number): string {
  const neg = cents < 0;
  const a = Math.abs(cents);
  return `${neg ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** USD with 2 decimals, or 4 for sub-cent amounts (so a small cost does not print as $0.00). */
export function formatUsd(usd: number): string {
  const a = Math.abs(usd);
  const s =
    a !== 0 && a < 0.01
      ? a.toFixed(4)
      : a.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${usd < 0 ? '-' : ''}$${s}`;
}

export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `65.0%`; "n/a" for a share of nothing (null), never "100%" of zero tokens. */
export function formatPct(share: number | null, digits = 1): string {
  if (share === null) return 'n/a';
  if (!Number.isFinite(share)) return '-';
  return `${(share * 100).toFixed(digits)}%`;
}

/** `950`, `12.3K`, `105.7M`, `1.2B`: token counts that fit a terminal column (exact figures are in CSV/JSON). */
export function formatCompact(n: number): string {
  const a = Math.abs(n);
  const [div, unit] = a >= 1e9 ? [1e9, 'B'] : a >= 1e6 ? [1e6, 'M'] : a >= 1e4 ? [1e3, 'K'] : [1, ''];
  if (div === 1) return formatInt(n);
  const v = n / div;
  return `${Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1)}${unit}`;
}

/** "$12.34" or "$12.34 + 8.4M unpriced tokens": what is priced, and what it leaves out (never a bare $0.00). */
export function formatWithUnpriced(usd: string, unpricedTokens: number): string {
  return unpricedTokens > 0 ? `${usd} + ${formatCompact(unpricedTokens)} unpriced tokens` : usd;
}
