/**
 * Every function of the catalog compiles, through the DuckDB function table, to SQL that DuckDB
 * runs: a scalar in fields, a by-clause function in stats, an aggregate in stats. (What each
 * returns is the conformance suite's job; this catches a table entry whose SQL does not run.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FUNCTIONS, type CatalogFunction } from '../../src/insights/functions.js';
import { withEngine, BEDROCK_GROUP } from './helpers.js';

/** Arguments a call accepts: fields of several kinds, periods and formats where required. */
function args(spec: CatalogFunction): string {
  const special: Record<string, string> = {
    bin: '1h',
    datefloor: '@timestamp, 1h',
    dateceil: '@timestamp, 1mo',
    formatDate: '@timestamp, "%Y-%m-%d"',
    parseDate: 's, "yyyy-MM-dd"',
    pct: 'n, 90',
    rate: 'n, 1m',
    histogram: 'n, 10',
    count: '*',
    countOverTime: '*',
    isIpInSubnet: 'ip, "10.0.0.0/8"',
    isIpv4InSubnet: 'ip, "10.0.0.0/8"',
    isIpv6InSubnet: 'ip, "2001:db8::/32"',
    // The pattern is a literal (a pattern read from the data is refused: it could fail at run time).
    regexReplace: 's, "[0-9]", "x"',
  };
  if (special[spec.name]) return special[spec.name];
  const pool = ['n', 's', '"2"', 'ip', '1', '"x"'];
  return Array.from({ length: Math.max(spec.minArgs, Math.min(spec.maxArgs, 2)) }, (_, i) => pool[i]).join(', ');
}

test('every catalog function runs on DuckDB', async () => {
  await withEngine(
    [
      { ts: 1_000, group: BEDROCK_GROUP, message: '{"n":5,"s":"2026-01-02","ip":"10.1.2.3"}' },
      { ts: 2_000, group: BEDROCK_GROUP, message: '{"n":"7.5","s":"[1,2]","ip":"::1"}' },
    ],
    async (engine) => {
      for (const spec of FUNCTIONS) {
        const call = `${spec.name}(${args(spec)})`;
        const q =
          spec.role === 'aggregate'
            ? `stats ${call} as v by bin(1m)`
            : spec.role === 'group'
              ? `stats count(*) by ${call}`
              : `fields ${call} as v`;
        const r = await engine.run({ queryString: q });
        assert.equal(r.status, 'Complete', `${q}: ${r.error?.message}`);
      }
    },
  );
});
