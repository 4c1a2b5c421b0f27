/** Levenshtein distance, stopping early once it exceeds `max` (returns max + 1 then). */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

export interface ValueCount {
  value: string;
  count: number;
}

export interface LikelyMisspelling {
  value: string;
  count: number;
  /** The common value it most likely meant. */
  intended: string;
  intendedCount: number;
  distance: number;
}

/**
 * Values that look like misspellings of a more common value of the same key: a small edit
 * distance (1 for short values, 2 from 7 characters; or only letter case), and at most a fifth as
 * frequent. Values that differ only in digits (`app-001` / `app-002`, `v1` / `v2`) are distinct
 * identifiers, not typos.
 */
export function likelyMisspellings(values: ValueCount[]): LikelyMisspelling[] {
  const sorted = [...values].sort((a, b) => b.count - a.count);
  const out: LikelyMisspelling[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const rare = sorted[i];
    let best: LikelyMisspelling | null = null;
    for (let j = 0; j < i; j++) {
      const common = sorted[j];
      if (rare.count * 5 > common.count) continue;
      if (rare.value.replace(/\d/g, '') === common.value.replace(/\d/g, '')) continue;
      const caseOnly = rare.value.toLowerCase() === common.value.toLowerCase();
      const limit = Math.min(rare.value.length, common.value.length) >= 7 ? 2 : 1;
      const d = caseOnly ? 0 : editDistance(rare.value, common.value, limit);
      if (d > limit) continue;
      if (!best || d < best.distance || (d === best.distance && common.count > best.intendedCount)) {
        best = {
          value: rare.value,
          count: rare.count,
          intended: common.value,
          intendedCount: common.count,
          distance: d,
        };
      }
    }
    if (best) out.push(best);
  }
  return out;
}
