/** CloudWatch statistics over the values of one period. Undefined for an empty period (missing data). */
export function computeStatistic(statistic: string, values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  switch (statistic) {
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'SampleCount':
      return values.length;
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Minimum':
      return Math.min(...values);
    case 'Maximum':
      return Math.max(...values);
  }
  const m = /^p(\d{1,2}(?:\.\d+)?)$/.exec(statistic);
  if (!m) throw new Error(`unknown statistic ${statistic}`);
  // Nearest rank: the smallest value with at least p% of the values at or below it.
  const p = Number(m[1]);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}
