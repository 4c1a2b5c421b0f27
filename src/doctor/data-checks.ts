import { modelIdForm } from '../logs/record.js';
import { bookFreshness, loadPriceBook, unpricedModels, type PriceBook, type UnpricedReport } from '../pricing/index.js';
import type { Store } from '../store/store.js';
import { likelyMisspellings } from './similar.js';
import type { Finding } from './types.js';

/** Keys that name the application, most specific first; the first one present in the data is used. */
export const APPLICATION_KEYS = ['application_name', 'application', 'app_name', 'app', 'application_id', 'app_id'];
/** Keys with more distinct values than this are not compared for misspellings (ids, not labels). */
export const MISSPELLING_MAX_VALUES = 200;
/** A key explodes when it has at least this many values and nearly one per call. */
export const CARDINALITY_MIN_VALUES = 100;
export const CARDINALITY_RATIO = 0.5;

export interface DataCheckOptions {
  /** Restrict to one log group (default: every Bedrock event). */
  logGroup?: string;
  /** The metadata key naming the application (default: the first of APPLICATION_KEYS present). */
  applicationKey?: string;
  book?: PriceBook;
}

const num = (v: unknown): number => Number(v ?? 0);
const pct = (n: number, d: number): string =>
  d === 0 ? '0%' : `${((100 * n) / d).toFixed(n === d || n === 0 ? 0 : 1)}%`;

/** `arn:aws:sts::A:assumed-role/Role/session` → `role/Role`; `arn:aws:iam::A:user/u` → `user/u`; else the ARN. */
export function principalOf(arn: string | null): string {
  if (!arn) return '(no identity)';
  const role = /:assumed-role\/([^/]+)/.exec(arn);
  if (role) return `role/${role[1]}`;
  const m = /:(user|role)\/(.+)$/.exec(arn);
  return m ? `${m[1]}/${m[2]}` : arn;
}

const HEADER_FIX =
  'send the X-Amzn-Bedrock-Request-Metadata header, a JSON object of string keys and values (for example {"application_name":"…","environment":"production"}), on InvokeModel / InvokeModelWithResponseStream; with the JS SDK, the bedrock-insights/tagging middleware adds it. The guide\'s "switch to Converse" predates this header: InvokeModel calls can be tagged as they are';
const CONVERSE_FIX =
  'pass requestMetadata (a map of up to 16 string keys and values) in the Converse / ConverseStream request; with the JS SDK, the bedrock-insights/tagging middleware adds it from a context';

/** The data checks: metadata hygiene and pricing gaps, measured on the store. */
export async function dataFindings(store: Store, o: DataCheckOptions = {}): Promise<Finding[]> {
  const conn = await store.connect();
  const where = `kind = 'bedrock'${o.logGroup ? ` AND log_group = $1` : ''}`;
  const params = o.logGroup ? [o.logGroup] : [];
  const q = async (sql: string): Promise<unknown[][]> => (await conn.runAndReadAll(sql, params)).getRows();
  const findings: Finding[] = [];
  try {
    const total = num((await q(`SELECT count(*) FROM events WHERE ${where}`))[0][0]);
    if (total === 0) {
      return [
        {
          check: 'data.empty',
          severity: 'error',
          title: 'No Bedrock invocations in the store',
          detail: `The store has no Bedrock model invocation records${o.logGroup ? ` in ${o.logGroup}` : ''}.`,
          nextStep:
            'Ingest some: npx bedrock-insights ingest ./AWSLogs (or s3://BUCKET/PREFIX, cloudwatch://LOG_GROUP); or try npx bedrock-insights demo.',
        },
      ];
    }
    findings.push(
      ...untagged(
        await q(
          `SELECT operation, identity_arn, count(*) FILTER (WHERE request_metadata IS NULL OR cardinality(request_metadata) = 0), count(*)
       FROM events WHERE ${where} GROUP BY ALL`,
        ),
        total,
      ),
    );

    const keyStats = await q(`SELECT k, count(*), count(DISTINCT v) FROM (
        SELECT unnest(map_keys(request_metadata)) AS k, unnest(map_values(request_metadata)) AS v FROM events WHERE ${where} AND request_metadata IS NOT NULL)
      GROUP BY k ORDER BY k`);
    const keys = keyStats.map(([k, n, d]) => ({ key: String(k), count: num(n), distinct: num(d) }));
    const appKey = o.applicationKey ?? APPLICATION_KEYS.find((k) => keys.some((s) => s.key === k));
    if (appKey)
      findings.push(
        ...(await coverage(
          q,
          where,
          appKey,
          keys.map((k) => k.key),
        )),
      );
    findings.push(
      ...(await misspellings(
        q,
        where,
        keys.filter((k) => k.distinct > 1 && k.distinct <= MISSPELLING_MAX_VALUES).map((k) => k.key),
      )),
    );
    for (const k of keys) {
      if (k.distinct >= CARDINALITY_MIN_VALUES && k.distinct >= CARDINALITY_RATIO * k.count) {
        findings.push({
          check: 'metadata.cardinality',
          severity: 'warning',
          title: `requestMetadata.${k.key} has a value per call`,
          detail: `${k.distinct.toLocaleString('en-US')} distinct values over ${k.count.toLocaleString('en-US')} tagged invocations: grouping by it (stats … by requestMetadata.${k.key}) gives one row per call, and dashboards and chargeback by it are unreadable.`,
          nextStep: `Put a bounded label in requestMetadata.${k.key} (a tenant, a feature, an environment), and leave per-request ids (request ids, timestamps, session ids) out of request metadata: the log already has requestId.`,
          data: { key: k.key, distinct: k.distinct, tagged: k.count },
        });
      }
    }
    // The pricing gaps as `prices check` reads them (the same function), so the two always agree:
    // whole invocations without a price, and cache reads / writes of models priced for the rest.
    const book = o.book ?? loadPriceBook();
    findings.push(...pricing(await unpricedModels(store, book, o.logGroup ? { logGroup: o.logGroup } : {}), book));
  } finally {
    conn.closeSync();
  }
  return findings;
}

function untagged(rows: unknown[][], total: number): Finding[] {
  const families = [
    { name: 'InvokeModel', ops: new Set(['InvokeModel', 'InvokeModelWithResponseStream']), fix: HEADER_FIX },
    { name: 'Converse', ops: new Set(['Converse', 'ConverseStream']), fix: CONVERSE_FIX },
  ];
  const out: Finding[] = [];
  let all = 0;
  for (const r of rows) all += num(r[2]);
  for (const fam of families) {
    const byPrincipal = new Map<string, { untagged: number; calls: number; ops: Set<string> }>();
    let famUntagged = 0;
    let famCalls = 0;
    for (const [op, arn, u, n] of rows) {
      if (!fam.ops.has(String(op))) continue;
      famCalls += num(n);
      famUntagged += num(u);
      if (num(u) === 0) continue;
      const p = principalOf(arn === null ? null : String(arn));
      const e = byPrincipal.get(p) ?? { untagged: 0, calls: 0, ops: new Set<string>() };
      e.untagged += num(u);
      e.ops.add(String(op));
      byPrincipal.set(p, e);
    }
    for (const [op, arn, , n] of rows) {
      if (!fam.ops.has(String(op))) continue;
      const e = byPrincipal.get(principalOf(arn === null ? null : String(arn)));
      if (e) e.calls += num(n);
    }
    if (famUntagged === 0) continue;
    const top = [...byPrincipal.entries()].sort((a, b) => b[1].untagged - a[1].untagged);
    const share = famUntagged / famCalls;
    const list = top
      .slice(0, 8)
      .map(
        ([p, e]) =>
          `${p} ${e.untagged.toLocaleString('en-US')} of ${e.calls.toLocaleString('en-US')} (${pct(e.untagged, e.calls)}; ${[...e.ops].sort().join(', ')})`,
      )
      .join('; ');
    out.push({
      check: `metadata.untagged.${fam.name === 'InvokeModel' ? 'invokeModel' : 'converse'}`,
      severity: share >= 0.05 ? 'warning' : 'info',
      title: `${pct(famUntagged, famCalls)} of ${fam.name} calls carry no requestMetadata`,
      detail: `${famUntagged.toLocaleString('en-US')} of ${famCalls.toLocaleString('en-US')} ${[...fam.ops].join('/')} invocations (${pct(famUntagged, total)} of all) are untagged and fall outside every per-application, per-tenant and cost-center figure. By caller: ${list}${top.length > 8 ? `; and ${top.length - 8} more` : ''}.`,
      nextStep: `For each caller above, ${fam.fix}.`,
      data: {
        operations: [...fam.ops],
        untagged: famUntagged,
        calls: famCalls,
        byPrincipal: top.map(([p, e]) => ({
          principal: p,
          untagged: e.untagged,
          calls: e.calls,
          operations: [...e.ops].sort(),
        })),
      },
    });
  }
  if (out.length === 0)
    out.push({
      check: 'metadata.untagged',
      severity: 'ok',
      title: 'Every invocation carries requestMetadata',
      detail: `${all.toLocaleString('en-US')} invocations checked.`,
      nextStep: '',
    });
  return out;
}

async function coverage(
  q: (sql: string) => Promise<unknown[][]>,
  where: string,
  appKey: string,
  keys: string[],
): Promise<Finding[]> {
  const k = appKey.replace(/'/g, "''");
  const rows = await q(`SELECT request_metadata['${k}'] AS app, count(*) AS n,
      ${keys.map((key, i) => `count(*) FILTER (WHERE request_metadata['${key.replace(/'/g, "''")}'] IS NOT NULL) AS k${i}`).join(', ')}
    FROM events WHERE ${where} AND request_metadata IS NOT NULL AND cardinality(request_metadata) > 0 GROUP BY 1 ORDER BY 2 DESC`);
  const out: Finding[] = [];
  const table: { application: string | null; tagged: number; coverage: Record<string, number> }[] = [];
  for (const r of rows) {
    const app = r[0] === null ? null : String(r[0]);
    const n = num(r[1]);
    const cov: Record<string, number> = {};
    keys.forEach((key, i) => {
      cov[key] = num(r[2 + i]) / n;
    });
    table.push({ application: app, tagged: n, coverage: cov });
    const missing = keys.filter((key) => key !== appKey && cov[key] < 0.95);
    if (app === null) {
      out.push({
        check: 'metadata.coverage',
        severity: 'warning',
        title: `${n.toLocaleString('en-US')} tagged invocations have no ${appKey}`,
        detail: `They carry request metadata but not the key that names the application, so per-application figures leave them out.`,
        nextStep: `Add ${appKey} to the request metadata of those callers (find them: npx bedrock-insights query 'filter ispresent(requestMetadata) and not ispresent(requestMetadata.${appKey}) | stats count(*) by identity.arn').`,
        data: { tagged: n },
      });
      continue;
    }
    if (missing.length === 0) continue;
    const never = missing.filter((key) => cov[key] === 0);
    const partial = missing.filter((key) => cov[key] > 0);
    out.push({
      check: 'metadata.coverage',
      severity: partial.length > 0 ? 'warning' : 'info',
      title: `${app}: ${[...partial.map((key) => `${key} on ${pct(cov[key] * n, n)}`), ...never.map((key) => `never ${key}`)].join(', ')}`,
      detail: `Of ${n.toLocaleString('en-US')} tagged invocations of ${app}, ${missing.map((key) => `${pct(cov[key] * n, n)} carry ${key}`).join(', ')}; other applications send ${missing.length === 1 ? 'it' : 'them'}. Figures by ${missing.length === 1 ? 'that key' : 'those keys'} put the rest under "missing".`,
      nextStep:
        partial.length > 0
          ? `Send ${partial.join(', ')} on every call of ${app} (set it once in the tagging context rather than per call)${never.length ? `; decide whether ${app} should send ${never.join(', ')}` : ''}.`
          : `If ${app} should be split by ${never.join(', ')}, add ${never.length === 1 ? 'it' : 'them'} to its request metadata; if not, nothing to do.`,
      data: { application: app, tagged: n, coverage: Object.fromEntries(missing.map((key) => [key, cov[key]])) },
    });
  }
  out.push({
    check: 'metadata.coverageTable',
    severity: 'info',
    title: `Metadata key coverage per ${appKey}`,
    detail: table
      .map(
        (t) =>
          `${t.application ?? '(none)'}: ${keys.map((key) => `${key} ${pct(t.coverage[key] * t.tagged, t.tagged)}`).join(', ')}`,
      )
      .join('\n'),
    nextStep: '',
    data: { applicationKey: appKey, applications: table },
  });
  return out;
}

async function misspellings(
  q: (sql: string) => Promise<unknown[][]>,
  where: string,
  keys: string[],
): Promise<Finding[]> {
  if (keys.length === 0) return [];
  const rows = await q(`SELECT k, v, count(*) FROM (
      SELECT unnest(map_keys(request_metadata)) AS k, unnest(map_values(request_metadata)) AS v FROM events WHERE ${where} AND request_metadata IS NOT NULL)
    WHERE k IN (${keys.map((k) => `'${k.replace(/'/g, "''")}'`).join(', ')}) GROUP BY ALL`);
  const byKey = new Map<string, { value: string; count: number }[]>();
  for (const [k, v, n] of rows) {
    const list = byKey.get(String(k)) ?? [];
    list.push({ value: String(v), count: num(n) });
    byKey.set(String(k), list);
  }
  const out: Finding[] = [];
  for (const [key, values] of [...byKey.entries()].sort()) {
    for (const m of likelyMisspellings(values)) {
      out.push({
        check: 'metadata.misspelling',
        severity: 'warning',
        title: `requestMetadata.${key} = "${m.value}" looks like "${m.intended}"`,
        detail: `"${m.value}" on ${m.count.toLocaleString('en-US')} invocations, "${m.intended}" on ${m.intendedCount.toLocaleString('en-US')} (${m.distance === 0 ? 'differs only in letter case' : `${m.distance} edit${m.distance === 1 ? '' : 's'} apart`}). Figures by ${key} split them into two groups.`,
        nextStep: `Fix the value where it is set (find the callers: npx bedrock-insights query 'filter requestMetadata.${key} = "${m.value}" | stats count(*), min(@timestamp), max(@timestamp) by identity.arn'); validate tag values against a fixed list in the tagging context.`,
        data: { key, ...m },
      });
    }
  }
  return out;
}

function pricing(gaps: UnpricedReport[], book: PriceBook): Finding[] {
  const out: Finding[] = [];
  const n = (x: number): string => x.toLocaleString('en-US');
  const fresh = bookFreshness(book);
  if (fresh.stale)
    out.push({
      check: 'pricing.staleBook',
      severity: 'warning',
      title: `The price book is ${fresh.ageDays} days old`,
      detail: fresh.warning,
      nextStep:
        "npx bedrock-insights prices update --from model_prices_and_context_window.json (LiteLLM's file) or --from the AWS Price List AmazonBedrock index.json, then npx bedrock-insights prices reprice --dry-run",
      data: { version: book.version, retrieved: fresh.retrieved, ageDays: fresh.ageDays },
    });
  for (const g of gaps) {
    const modelId = g.modelId ?? '';
    const where = `${modelId || '(empty modelId)'}${g.region ? ` in ${g.region}` : ''}`;
    const data = { modelId, region: g.region, requests: g.requests, tokens: g.tokens, parts: g.parts };
    if (g.why === null) {
      out.push({
        check: 'pricing.notApplied',
        severity: 'info',
        title: `Invocations of ${where} are waiting for their price`,
        detail: `${n(g.requests)} invocations (${n(g.tokens)} tokens) have no cost yet, though price book ${book.version} prices them.`,
        nextStep: 'npx bedrock-insights prices reprice',
        data,
      });
    } else if (!g.parts.all && modelIdForm(modelId) !== 'application-inference-profile-arn') {
      const classes = [g.parts.cacheRead ? 'cache reads' : '', g.parts.cacheWrite ? 'cache writes' : ''].filter(
        Boolean,
      );
      out.push({
        check: 'pricing.unpricedCacheClass',
        severity: 'warning',
        title: `No ${classes.join(' or ')} price for ${where}`,
        detail: `${n(g.requests)} invocations are priced for their input and output, but their ${classes.join(' and ')} (${n(g.tokens)} tokens) have no price: ${g.why.reason}. Those tokens are in no cost figure (not free).`,
        nextStep: `${g.why.hint}; then run npx bedrock-insights prices reprice.`,
        data,
      });
    } else if (modelIdForm(modelId) === 'application-inference-profile-arn') {
      out.push({
        check: 'pricing.unmappedApplicationProfile',
        severity: 'warning',
        title: `Application inference profile with no model: ${modelId}`,
        detail: `${n(g.requests)} invocations (${n(g.tokens)} tokens) name this application-inference-profile ARN as modelId; the ARN does not say which model it routes to, so they have no cost.`,
        nextStep: `With AWS credentials, run npx bedrock-insights prices profiles (it asks Bedrock's GetInferenceProfile and prices these invocations); or look it up (aws bedrock get-inference-profile --inference-profile-identifier ${modelId} --query 'models[0].modelArn') and map it in your prices file: "applicationProfiles": {"${modelId}": "<model id>"}, then run npx bedrock-insights prices reprice.`,
        data,
      });
    } else {
      out.push({
        check: 'pricing.unpricedModel',
        severity: 'warning',
        title: `No price for ${where}`,
        detail: `${n(g.requests)} invocations (${n(g.tokens)} tokens) are unpriced: ${g.why.reason}.`,
        nextStep: `${g.why.hint}; then run npx bedrock-insights prices reprice.`,
        data,
      });
    }
  }
  if (gaps.length === 0)
    out.push({
      check: 'pricing',
      severity: 'ok',
      title: 'Every token in the data has a price',
      detail: `Price book ${book.version} (prices of ${fresh.retrieved}) prices every invocation, cache reads and writes included.`,
      nextStep: '',
    });
  return out;
}
