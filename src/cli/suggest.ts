/**
 * "Did you mean …?" for an unknown option. Commander's own suggestion only looks at the edit
 * distance (at most 3), so `--bodies` found nothing next to `--keep-bodies`; here a name that
 * contains the typed word, or is contained in it, counts too.
 */

/** Damerau-Levenshtein distance (adjacent transpositions count one). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

const bare = (flag: string): string => flag.replace(/^--?/, '').replace(/^no-/, '');

/** The candidate flags closest to `typed` (none when nothing is close). */
export function similarFlags(typed: string, candidates: readonly string[]): string[] {
  const word = bare(typed).toLowerCase();
  if (word.length === 0) return [];
  const scored = [...new Set(candidates)].map((c) => {
    const name = bare(c).toLowerCase();
    const d = distance(word, name);
    const near = d <= 3 && (Math.max(word.length, name.length) - d) / Math.max(word.length, name.length) > 0.4;
    const part = word.length >= 3 && (name.includes(word) || word.includes(name));
    return { c, d, ok: near || part };
  });
  const ok = scored.filter((s) => s.ok);
  if (ok.length === 0) return [];
  const best = Math.min(...ok.map((s) => s.d));
  // The nearest first; a few at most, so the hint stays one line.
  return ok
    .sort((x, y) => x.d - y.d)
    .filter((s) => s.d <= best + 4)
    .slice(0, 3)
    .map((s) => s.c);
}

/** `\n(Did you mean --keep-bodies?)`, as commander words its own hints; '' when nothing is close. */
export function didYouMean(typed: string, candidates: readonly string[]): string {
  const s = similarFlags(typed, candidates);
  if (s.length === 0) return '';
  return `\n(Did you mean ${s.length === 1 ? s[0] : `one of ${s.join(', ')}`}?)`;
}
