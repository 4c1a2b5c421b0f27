import type { OwnerKeyCheck } from '../contracts/wire.js';
import type { QueryEngine } from '../engines/engine.js';
import { closest } from '../insights/functions.js';
import { REQUEST_METADATA_PREFIX } from '../logs/hot-fields.js';
import { formatPct } from '../contracts/money.js';
import type { Period } from './period.js';
import { BEDROCK_ONLY, num, ownerField, q, runQuery } from './query.js';

/**
 * A mistyped owner key (`--by cost_centre`) must not quietly charge 100% of spend to
 * "(untagged)": the key's coverage in the period, the keys that do exist with theirs, and the
 * closest one, from one stats query through the engine. The candidate keys come from the store's
 * field catalog (every requestMetadata key ever seen), which the caller passes in.
 */

/** At most this many keys are measured (one count() each in one query). */
const MAX_KEYS = 40;

export interface OwnerKeyOptions {
  by: string;
  period: Pick<Period, 'start' | 'end' | 'label'>;
  /** Field names the store has seen (src/store/catalog.ts listFields): requestMetadata.* ones are the candidates. */
  knownFields: string[];
  logGroups?: string[];
}

export async function checkOwnerKey(engine: QueryEngine, o: OwnerKeyOptions): Promise<OwnerKeyCheck> {
  const field = ownerField(o.by);
  const candidates = [
    ...new Set(o.knownFields.filter((f) => f.startsWith(REQUEST_METADATA_PREFIX) && f !== field)),
  ].slice(0, MAX_KEYS);
  const counts = [`count(${q(field)}) as k0`, ...candidates.map((f, i) => `count(${q(f)}) as k${i + 1}`)];
  const rows = await runQuery(
    engine,
    `${BEDROCK_ONLY} | stats count(*) as n, ${counts.join(', ')}`,
    o.period,
    o.logGroups,
  );
  const r = rows[0] ?? {};
  const n = num(r.n);
  const share = n > 0 ? num(r.k0) / n : 0;
  const keys = candidates
    .map((f, i) => ({
      key: f.slice(REQUEST_METADATA_PREFIX.length),
      field: f,
      share: n > 0 ? num(r[`k${i + 1}`]) / n : 0,
    }))
    .filter((k) => k.share > 0)
    .sort((a, b) => b.share - a.share || a.key.localeCompare(b.key));
  const bare = field.startsWith(REQUEST_METADATA_PREFIX) ? field.slice(REQUEST_METADATA_PREFIX.length) : field;
  const suggestion =
    share === 0
      ? (closest(
          bare,
          keys.map((k) => k.key),
        ) ?? null)
      : null;
  let warning = '';
  if (n > 0 && share === 0) {
    const hint = suggestion
      ? `; did you mean ${suggestion} (on ${formatPct(keys.find((k) => k.key === suggestion)!.share)} of invocations)?`
      : '.';
    const present = keys.length
      ? ` Keys present in ${o.period.label}: ${keys
          .slice(0, 8)
          .map((k) => `${k.key} ${formatPct(k.share)}`)
          .join(', ')}.`
      : ' No invocation in it has any request metadata.';
    warning = `No invocation in ${o.period.label} has ${field}, so all of its spend would be untagged${hint}${present}`;
  }
  return { field, share, suggestion, keys, warning };
}
