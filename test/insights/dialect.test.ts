/**
 * The dialect seam: every function of the catalog (src/insights/functions.ts) and every
 * operator has SQL in every dialect, by type and at run time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FUNCTIONS, functionName } from '../../src/insights/functions.js';
import type { Dialect, FunctionTable } from '../../src/insights/sql/dialect.js';
import { duckdb } from '../../src/insights/sql/duckdb/index.js';
import { PLAIN_EVENTS, trinoDialect } from '../../src/insights/sql/trino/index.js';

const DIALECTS: readonly Dialect[] = [duckdb, trinoDialect(PLAIN_EVENTS)];

// A table missing a function does not compile: the typecheck of `npm test` fails if FunctionTable
// ever stops covering the whole catalog (the old compiler fell back to NULL for an unknown name).
const { abs: _abs, ...withoutAbs } = duckdb.functions;
// @ts-expect-error abs has no SQL in this table
const incomplete: FunctionTable = withoutAbs;
void _abs;
void incomplete;

test('every scalar and by-clause function of the catalog has an SQL mapping in every dialect', () => {
  for (const d of DIALECTS) {
    for (const spec of FUNCTIONS) {
      if (spec.role === 'aggregate') continue;
      assert.equal(typeof d.functions[functionName(spec)], 'function', `${d.name}: ${spec.name}`);
    }
  }
});
