import type { QueryResult, ResultRow } from '../../src/engines/engine.js';
import type { ExpectedRow, RowsExpectation } from './types.js';

/**
 * Row comparison for conformance cases. Pure functions: they return a list of problems (empty
 * means the result conforms) so the runner can print one readable report per case.
 */

/** A result row as a field -> value map, without @ptr. Duplicate fields are reported. */
export function rowToObject(row: ResultRow): { obj: ExpectedRow; duplicates: string[] } {
  const obj: ExpectedRow = {};
  const duplicates: string[] = [];
  for (const { field, value } of row) {
    if (field === '@ptr') continue;
    if (Object.prototype.hasOwnProperty.call(obj, field)) duplicates.push(field);
    obj[field] = value;
  }
  return { obj, duplicates };
}

const NUMBER_RE = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

export function valuesMatch(expected: string, actual: string, tolerance: number | undefined): boolean {
  if (expected === actual) return true;
  if (tolerance === undefined) return false;
  if (!NUMBER_RE.test(expected) || !NUMBER_RE.test(actual)) return false;
  return Math.abs(Number(expected) - Number(actual)) <= tolerance + 1e-12;
}

/** Field-level differences between one expected and one actual row (sparse: keys must match exactly). */
export function rowDiff(
  expected: ExpectedRow,
  actual: ExpectedRow,
  tolerance?: number,
  toleranceFields?: string[],
): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(expected)) {
    const tol = toleranceFields === undefined || toleranceFields.includes(k) ? tolerance : undefined;
    if (!Object.prototype.hasOwnProperty.call(actual, k)) out.push(`${k}: expected ${JSON.stringify(v)}, field absent`);
    else if (!valuesMatch(v, actual[k], tol))
      out.push(`${k}: expected ${JSON.stringify(v)}, got ${JSON.stringify(actual[k])}`);
  }
  for (const [k, v] of Object.entries(actual)) {
    if (!Object.prototype.hasOwnProperty.call(expected, k)) out.push(`${k}: expected absent, got ${JSON.stringify(v)}`);
  }
  return out;
}

function show(row: ExpectedRow): string {
  return JSON.stringify(row);
}

function showRows(rows: ExpectedRow[], max = 25): string {
  const lines = rows.slice(0, max).map((r, i) => `    [${i}] ${show(r)}`);
  if (rows.length > max) lines.push(`    … ${rows.length - max} more`);
  return lines.length ? lines.join('\n') : '    (none)';
}

/** Compare a query result with a rows expectation. */
export function compareResult(exp: RowsExpectation, result: QueryResult): string[] {
  const problems: string[] = [];
  const actual: ExpectedRow[] = [];
  result.rows.forEach((row, i) => {
    const { obj, duplicates } = rowToObject(row);
    if (duplicates.length) problems.push(`row ${i} repeats field(s) ${duplicates.join(', ')}`);
    actual.push(obj);
  });

  if (exp.columns) {
    const cols = result.columns.filter((c) => c !== '@ptr');
    if (JSON.stringify(cols) !== JSON.stringify(exp.columns)) {
      problems.push(`columns: expected ${JSON.stringify(exp.columns)}, got ${JSON.stringify(result.columns)}`);
    }
  }
  if (exp.rowCount !== undefined && actual.length !== exp.rowCount) {
    problems.push(`row count: expected ${exp.rowCount}, got ${actual.length}`);
  }
  if (exp.minRows !== undefined && actual.length < exp.minRows) {
    problems.push(`row count: expected at least ${exp.minRows}, got ${actual.length}`);
  }
  if (exp.truncated !== undefined && result.truncated !== exp.truncated) {
    problems.push(`truncated: expected ${exp.truncated}, got ${result.truncated}`);
  }
  if (exp.ptr === 'last') {
    result.rows.forEach((row, i) => {
      const idx = row.findIndex((c) => c.field === '@ptr');
      if (idx === -1) problems.push(`row ${i}: expected @ptr as the last field, it is missing`);
      else if (idx !== row.length - 1)
        problems.push(`row ${i}: @ptr is at position ${idx} of ${row.length}, expected last`);
      else if (row[idx].value === '') problems.push(`row ${i}: @ptr is empty`);
    });
  } else if (exp.ptr === 'absent') {
    result.rows.forEach((row, i) => {
      if (row.some((c) => c.field === '@ptr')) problems.push(`row ${i}: aggregated rows must not carry @ptr`);
    });
  }
  for (const f of exp.absentFields ?? []) {
    const bad = actual.map((r, i) => (Object.prototype.hasOwnProperty.call(r, f) ? i : -1)).filter((i) => i >= 0);
    if (bad.length)
      problems.push(
        `field ${f} must be absent from every row; present in rows ${bad.slice(0, 10).join(', ')}: ${show(actual[bad[0]])}`,
      );
  }

  const expectedRows = exp.rows;
  if (expectedRows) {
    const tol = exp.numericTolerance;
    const tf = exp.toleranceFields;
    if (exp.ordered && !exp.subset) {
      if (expectedRows.length !== actual.length)
        problems.push(`row count: expected ${expectedRows.length}, got ${actual.length}`);
      const n = Math.max(expectedRows.length, actual.length);
      for (let i = 0; i < n; i++) {
        const e = expectedRows[i];
        const a = actual[i];
        if (!e) {
          problems.push(`row ${i}: unexpected ${show(a)}`);
          continue;
        }
        if (!a) {
          problems.push(`row ${i}: missing ${show(e)}`);
          continue;
        }
        const d = rowDiff(e, a, tol, tf);
        if (d.length) problems.push(`row ${i}: ${d.join('; ')}\n      expected ${show(e)}\n      got      ${show(a)}`);
      }
    } else {
      // Multiset match: each expected row consumes one equal actual row.
      const used = new Array<boolean>(actual.length).fill(false);
      const matchedAt: number[] = [];
      const missing: ExpectedRow[] = [];
      for (const e of expectedRows) {
        const idx = actual.findIndex((a, i) => !used[i] && rowDiff(e, a, tol, tf).length === 0);
        if (idx === -1) missing.push(e);
        else {
          used[idx] = true;
          matchedAt.push(idx);
        }
      }
      for (const m of missing) {
        // Point at the closest actual row to make the diff readable.
        let best = -1;
        let bestDiff: string[] = [];
        actual.forEach((a, i) => {
          if (used[i]) return;
          const d = rowDiff(m, a, tol, tf);
          if (best === -1 || d.length < bestDiff.length) {
            best = i;
            bestDiff = d;
          }
        });
        problems.push(
          `missing row ${show(m)}` + (best >= 0 ? `\n      closest actual row [${best}]: ${bestDiff.join('; ')}` : ''),
        );
      }
      if (!exp.subset) {
        const extra = actual.filter((_, i) => !used[i]);
        if (extra.length) problems.push(`unexpected rows:\n${showRows(extra)}`);
      } else if (exp.ordered && missing.length === 0) {
        for (let i = 1; i < matchedAt.length; i++) {
          if (matchedAt[i] < matchedAt[i - 1])
            problems.push(
              `expected rows out of order: ${show(expectedRows[i])} came before ${show(expectedRows[i - 1])}`,
            );
        }
      }
    }
  }

  if (exp.topPerGroup) {
    const { group, field } = exp.topPerGroup;
    for (const e of expectedRows ?? []) {
      const g = e[group];
      const mine = Number(e[field]);
      const rivals = actual.filter((a) => a[group] === g && a[field] !== undefined && Number(a[field]) > mine);
      if (rivals.length) problems.push(`${show(e)} is not the largest ${field} for ${group}=${g}: ${show(rivals[0])}`);
    }
  }

  for (const w of exp.warnings ?? []) {
    const found = result.warnings.some(
      (d) =>
        (w.code === undefined || d.code.startsWith(w.code)) &&
        (w.includes === undefined ||
          `${d.message} ${d.suggestion ?? ''}`.toLowerCase().includes(w.includes.toLowerCase())),
    );
    if (!found) {
      problems.push(
        `expected a warning ${JSON.stringify(w)}; got ${JSON.stringify(result.warnings.map((d) => ({ code: d.code, message: d.message, suggestion: d.suggestion })))}`,
      );
    }
  }

  if (exp.eachRow) {
    const want = exp.eachRow;
    const bad = actual.findIndex((r) => Object.entries(want).some(([k, v]) => r[k] !== v));
    if (bad >= 0) problems.push(`every row must have ${show(want)}; row ${bad} is ${show(actual[bad])}`);
  }
  for (const [f, want] of Object.entries(exp.columnSums ?? {})) {
    let sum = 0;
    for (const r of actual) if (r[f] !== undefined) sum += Number(r[f]);
    if (!(Math.abs(sum - want) <= (exp.numericTolerance ?? 0) + 1e-9))
      problems.push(`sum of ${f} over all rows: expected ${want}, got ${sum}`);
  }
  for (const [k, v] of Object.entries(exp.statistics ?? {})) {
    const got = result.statistics[k as keyof typeof result.statistics];
    if (got !== v) problems.push(`statistics.${k}: expected ${v}, got ${got}`);
  }

  if (problems.length) {
    problems.push(`actual rows (${actual.length}):\n${showRows(actual)}`);
  }
  return problems;
}
