import { workLimitError } from './filterErrors.js';
import type { WorkMeter } from './work.js';

/** The table of one message may hold at most this many cells (bytes), whatever the budget left. */
export const MAX_TABLE_CELLS = 16 * 1024 * 1024;

/**
 * Assigns the tokens of a space-delimited message to a pattern's items (`field` takes one token,
 * `ellipsis` any number) by dynamic programming over (item, token), so `[..., a=x, ..., b=y, ...]`
 * costs items × tokens checks instead of trying every split. Among the assignments that match, it
 * returns the one with the shortest ellipses from the left (the one the old enumeration found
 * first), as the token index of each item (-1 for an ellipsis), or null.
 *
 * `fits(item, token)` tests a field's condition on one token; it is called at most once per pair.
 */
export function assignDelimited(
  kinds: readonly ('field' | 'ellipsis')[],
  tokenCount: number,
  fits: (item: number, token: number) => boolean,
  work: WorkMeter,
): number[] | null {
  const k = kinds.length;
  const n = tokenCount;
  const fields = kinds.filter((x) => x === 'field').length;
  const slack = n - fields;
  if (slack < 0) return null;
  if (!kinds.includes('ellipsis')) {
    if (slack !== 0) return null;
    for (let i = 0; i < k; i++) if (!fits(i, i)) return null;
    return kinds.map((_, i) => i);
  }
  // Item i can start only at tokens lo[i] .. lo[i] + slack (lo[i] = fields before it), so each row
  // of the table holds slack + 1 cells.
  const width = slack + 1;
  const cells = (k + 1) * width;
  if (cells > MAX_TABLE_CELLS) throw workLimitError(MAX_TABLE_CELLS);
  work.spend(cells);
  const lo: number[] = [];
  let f = 0;
  for (let i = 0; i <= k; i++) {
    lo.push(f);
    if (i < k && kinds[i] === 'field') f++;
  }
  // ok[i][j - lo[i]]: items i.. match tokens j.. exactly.
  const ok = new Uint8Array((k + 1) * width);
  const at = (i: number, j: number): number => {
    const d = j - lo[i];
    return d < 0 || d >= width ? 0 : ok[i * width + d];
  };
  ok[k * width + (n - lo[k])] = 1;
  for (let i = k - 1; i >= 0; i--) {
    for (let d = width - 1; d >= 0; d--) {
      const j = lo[i] + d;
      let v: number;
      if (kinds[i] === 'ellipsis') v = at(i + 1, j) || (d + 1 < width ? ok[i * width + d + 1] : 0);
      else v = j < n && at(i + 1, j + 1) && fits(i, j) ? 1 : 0;
      ok[i * width + d] = v;
    }
  }
  if (!at(0, 0)) return null;
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < k; i++) {
    if (kinds[i] === 'field') {
      out.push(j);
      j++;
      continue;
    }
    out.push(-1);
    while (!at(i + 1, j)) j++;
  }
  return out;
}
