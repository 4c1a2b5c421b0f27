import type { BedrockClientConfig } from '@aws-sdk/client-bedrock';
import type { Store } from '../store/store.js';
import { errorMessage } from '../util/errors.js';
import { loadPriceBook } from './book.js';
import { parseModelId } from './model-id.js';
import type { PriceBook, Profile } from './types.js';

/**
 * Application-inference-profile ARNs hide their model, so a log record alone cannot be priced.
 * Bedrock's GetInferenceProfile names the model (`models[]`, one model ARN per routable region);
 * the answer is kept as a dated snapshot in the store, because profiles are immutable (the answer
 * never goes stale) and can be deleted (later calls fail, yet old invocations still need a price).
 *
 * Opt-in: nothing here runs during ingest. `npx bedrock-insights prices profiles` (or a caller of
 * resolveApplicationProfiles) makes the AWS calls; pricing only reads the snapshots.
 */

export const PROFILE_SNAPSHOTS_TABLE = 'pricing_app_profiles';

const DDL = `CREATE TABLE IF NOT EXISTS ${PROFILE_SNAPSHOTS_TABLE} (
  arn VARCHAR PRIMARY KEY,
  profile_id VARCHAR,
  name VARCHAR,
  type VARCHAR,
  status VARCHAR,
  model_arns VARCHAR[] NOT NULL,
  model_ids VARCHAR[] NOT NULL,
  fetched_at BIGINT NOT NULL,
  missing_since BIGINT
)`;

/** What a snapshot prices as: the model id handed to resolveModel, and how it was derived. */
export interface SnapshotModel {
  /** A base id (`anthropic.claude-3-5-haiku-…`) or a profile id (`us.anthropic.…`); null = no single model. */
  modelId: string | null;
  /** How models[] became that id (or why it did not), for `via` and the CLI. */
  how: string;
}

export interface ProfileSnapshot {
  arn: string;
  profileId: string | null;
  name: string | null;
  /** `APPLICATION` for these ARNs. */
  type: string | null;
  /** `ACTIVE` when fetched. */
  status: string | null;
  modelArns: string[];
  /** The model ids of modelArns (ARN prefix removed), in the same order. */
  modelIds: string[];
  /** When GetInferenceProfile answered (epoch ms). */
  fetchedAt: number;
  /** First refresh that found the profile gone (ResourceNotFound), epoch ms; the snapshot still prices. */
  missingSince: number | null;
  pricedAs: SnapshotModel;
}

/** The part of a snapshot resolveModel needs. */
export interface SnapshotPricing {
  modelId: string | null;
  how: string;
  fetchedAt: number;
}

function geography(region: string): Profile | null {
  if (region.startsWith('us-gov-')) return 'us-gov';
  // ca-central-1 sits in some US profiles; it is North America either way.
  if (region.startsWith('us-') || region.startsWith('ca-')) return 'us';
  if (region.startsWith('eu-')) return 'eu';
  if (region === 'ap-northeast-1' || region === 'ap-northeast-3') return 'jp';
  if (region === 'ap-southeast-2' || region === 'ap-southeast-4') return 'au';
  if (region.startsWith('ap-')) return 'apac';
  return null;
}

/**
 * The id to price an application profile by, from its model ARNs. A profile made from one
 * foundation model lists that model in one region: the base id. A profile copied from a system
 * cross-region profile lists the model in each region it routes to: regions of one geography
 * give that geography's profile (`us.`…, whose price can differ from the base), a region-less ARN
 * or regions of several geographies give `global.`. Bedrock does not return the source profile,
 * so the profile prefix is inferred from the regions (see README).
 */
export function snapshotModelId(modelArns: readonly string[]): SnapshotModel {
  const parts = modelArns.map((a) => {
    const p = parseModelId(a);
    const region = /^arn:[^:]+:bedrock:([^:]*):/.exec(a)?.[1] ?? '';
    return { model: p.form === 'foundation-model-arn' || p.form === 'base' ? p.model : null, region };
  });
  if (parts.length === 0) return { modelId: null, how: 'GetInferenceProfile listed no models' };
  const models = [...new Set(parts.map((p) => p.model))];
  if (models.length !== 1 || models[0] === null) {
    return {
      modelId: null,
      how: `GetInferenceProfile listed ${models.length === 1 ? 'a model ARN that is not a foundation model' : `${models.length} different models`} (${modelArns.join(', ')})`,
    };
  }
  const model = models[0];
  const regions = [...new Set(parts.map((p) => p.region))];
  if (regions.length === 1 && regions[0] !== '')
    return { modelId: model, how: `one foundation model in ${regions[0]}: priced as ${model}` };
  const geos = new Set(regions.map((r) => (r === '' ? 'global' : (geography(r) ?? `other:${r}`))));
  if (geos.size === 1) {
    const g = [...geos][0];
    if (!g.startsWith('other:') && g !== 'global')
      return {
        modelId: `${g}.${model}`,
        how: `${model} in ${regions.join(', ')}: a ${g}. cross-region profile, priced as ${g}.${model}`,
      };
    if (g.startsWith('other:'))
      return { modelId: model, how: `${model} in ${regions.join(', ')} (no known geography): priced as the base id` };
  }
  return {
    modelId: `global.${model}`,
    how: `${model} in ${regions.map((r) => r || '(any region)').join(', ')}: a global cross-region profile, priced as global.${model}`,
  };
}

function strList(v: unknown): string[] {
  // DuckDB lists arrive as DuckDBListValue ({items}); read them at this one boundary.
  const items = (v as { items?: unknown[] } | null)?.items ?? [];
  return items.map(String);
}

/** Every kept snapshot, by ARN (empty when none was ever fetched; works on a read-only store). */
export async function profileSnapshots(store: Store): Promise<Map<string, ProfileSnapshot>> {
  const out = new Map<string, ProfileSnapshot>();
  let r;
  try {
    r = await store.connection.runAndReadAll(
      `SELECT arn, profile_id, name, type, status, model_arns, model_ids, fetched_at, missing_since FROM main.${PROFILE_SNAPSHOTS_TABLE} ORDER BY arn`,
    );
  } catch (e) {
    // Read directly rather than looked up in duckdb_tables() first: that lookup cost 11 ms, and
    // every ingest chunk with an application-profile ARN reads the snapshots (issue 12).
    if (new RegExp(`${PROFILE_SNAPSHOTS_TABLE} does not exist`, 'i').test(String(e))) return out;
    throw e;
  }
  for (const row of r.getRows()) {
    const s = (i: number) => (row[i] === null ? null : String(row[i]));
    const modelArns = strList(row[5]);
    out.set(String(row[0]), {
      arn: String(row[0]),
      profileId: s(1),
      name: s(2),
      type: s(3),
      status: s(4),
      modelArns,
      modelIds: strList(row[6]),
      fetchedAt: Number(row[7]),
      missingSince: row[8] === null ? null : Number(row[8]),
      pricedAs: snapshotModelId(modelArns),
    });
  }
  return out;
}

/** The snapshots in the form resolveModel takes (ResolveOptions.snapshots). */
export function snapshotPricing(snapshots: ReadonlyMap<string, ProfileSnapshot>): Map<string, SnapshotPricing> {
  return new Map(
    [...snapshots].map(([arn, s]) => [
      arn,
      { modelId: s.pricedAs.modelId, how: s.pricedAs.how, fetchedAt: s.fetchedAt },
    ]),
  );
}

export interface ResolveProfilesOptions {
  /** Region to call when an ARN names none (the ARN's region is used otherwise). Default us-east-1. */
  region?: string;
  /** Bedrock control-plane endpoint override (tests, VPC endpoints). */
  endpoint?: string;
  /** Default: the SDK's standard chain (environment, profile, SSO, instance role). */
  credentials?: BedrockClientConfig['credentials'];
  /** Fetch again ARNs that already have a snapshot (a deleted profile keeps its snapshot). */
  refresh?: boolean;
  /** User mappings come first; default loadPriceBook(). */
  book?: PriceBook;
  now?: () => number;
}

export type ProfileOutcome =
  | 'fetched' // GetInferenceProfile answered; the snapshot is new or replaced
  | 'kept' // a snapshot exists and no refresh was asked
  | 'mapped' // the user's prices file maps it: no call made
  | 'gone' // refresh found it deleted; the earlier snapshot still prices
  | 'failed'; // no snapshot and the call failed (or refresh failed for another reason)

export interface ProfileResult {
  arn: string;
  outcome: ProfileOutcome;
  /** The user mapping's model id, for 'mapped'. */
  mappedTo?: string;
  snapshot?: ProfileSnapshot;
  error?: { code: string; message: string; hint: string };
}

export interface ResolveProfilesResult {
  results: ProfileResult[];
  /** True when the standard chain found no credentials (then no call was made). */
  noCredentials: boolean;
  /** GetInferenceProfile requests that reached Bedrock (answered or refused). */
  calls: number;
}

const CRED_ERROR = /CredentialsProviderError|Could not load credentials|Unable to locate credentials/i;

function describeError(arn: string, e: unknown): { code: string; message: string; hint: string } {
  const name = (e as { name?: string }).name ?? 'Error';
  const cli = `aws bedrock get-inference-profile --inference-profile-identifier ${arn}`;
  if (CRED_ERROR.test(`${name} ${errorMessage(e)}`)) {
    return {
      code: 'NoCredentials',
      message: 'no AWS credentials found (environment, profile, SSO or instance role)',
      hint: 'configure AWS credentials for the account that owns the profile, or map the ARN in your prices file',
    };
  }
  if (/AccessDenied/i.test(name))
    return {
      code: name,
      message: errorMessage(e),
      hint: `grant bedrock:GetInferenceProfile on ${arn} to these credentials, or map the ARN in your prices file`,
    };
  if (/ResourceNotFound/i.test(name))
    return {
      code: name,
      message: errorMessage(e),
      hint: `the profile does not exist (deleted, or another account's): find its model some other way (the bill, its creator) and map the ARN in your prices file`,
    };
  return { code: name, message: errorMessage(e), hint: `retry later, or check with: ${cli}` };
}

/** ARNs of application inference profiles seen in Bedrock events, sorted. */
export async function applicationProfileArns(store: Store): Promise<string[]> {
  const r = await store.connection.runAndReadAll(
    `SELECT DISTINCT model_id FROM events WHERE kind = 'bedrock' AND model_id LIKE 'arn:%:application-inference-profile/%' ORDER BY 1`,
  );
  return r
    .getRows()
    .map((row) => String(row[0]))
    .filter((id) => parseModelId(id).form === 'application-profile-arn');
}

async function save(store: Store, s: ProfileSnapshot): Promise<void> {
  await store.connection.run(DDL);
  await store.connection.run(
    `INSERT OR REPLACE INTO ${PROFILE_SNAPSHOTS_TABLE} VALUES ($1, $2, $3, $4, $5, from_json($6, '["VARCHAR"]'), from_json($7, '["VARCHAR"]'), $8, $9)`,
    [
      s.arn,
      s.profileId,
      s.name,
      s.type,
      s.status,
      JSON.stringify(s.modelArns),
      JSON.stringify(s.modelIds),
      BigInt(s.fetchedAt),
      s.missingSince === null ? null : BigInt(s.missingSince),
    ],
  );
}

/**
 * For each application-profile ARN in the events without a user mapping (and, unless refresh,
 * without a snapshot), call GetInferenceProfile in the ARN's region and keep the answer. Errors
 * are reported per ARN and never thrown; a missing-credentials error stops further calls.
 */
export async function resolveApplicationProfiles(
  store: Store,
  opts: ResolveProfilesOptions = {},
): Promise<ResolveProfilesResult> {
  const book = opts.book ?? loadPriceBook();
  const now = opts.now ?? Date.now;
  const arns = await applicationProfileArns(store);
  const have = await profileSnapshots(store);
  const results: ProfileResult[] = [];
  const todo: string[] = [];
  for (const arn of arns) {
    const mapped = book.applicationProfiles[arn];
    if (mapped) results.push({ arn, outcome: 'mapped', mappedTo: mapped });
    else if (have.has(arn) && !opts.refresh) results.push({ arn, outcome: 'kept', snapshot: have.get(arn) });
    else todo.push(arn);
  }
  let noCredentials = false;
  let calls = 0;
  if (todo.length > 0) {
    // Loaded here so that importing the pricing module (ingest, queries) does not load the SDK.
    const { BedrockClient, GetInferenceProfileCommand } = await import('@aws-sdk/client-bedrock');
    const clients = new Map<string, InstanceType<typeof BedrockClient>>();
    try {
      for (const arn of todo) {
        const prev = have.get(arn);
        if (noCredentials) {
          results.push({
            arn,
            outcome: prev ? 'kept' : 'failed',
            snapshot: prev,
            error: describeError(
              arn,
              Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }),
            ),
          });
          continue;
        }
        const region = parseModelId(arn).arnRegion ?? opts.region ?? 'us-east-1';
        let client = clients.get(region);
        if (!client) {
          client = new BedrockClient({
            region,
            maxAttempts: 2,
            ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
            ...(opts.credentials ? { credentials: opts.credentials } : {}),
          });
          clients.set(region, client);
        }
        try {
          calls++;
          const r = await client.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: arn }));
          const modelArns = (r.models ?? [])
            .map((m) => m.modelArn)
            .filter((a): a is string => typeof a === 'string' && a.length > 0);
          const snap: ProfileSnapshot = {
            arn,
            profileId: r.inferenceProfileId ?? null,
            name: r.inferenceProfileName ?? null,
            type: r.type ?? null,
            status: r.status ?? null,
            modelArns,
            modelIds: modelArns.map((a) => parseModelId(a).model ?? a),
            fetchedAt: now(),
            missingSince: null,
            pricedAs: snapshotModelId(modelArns),
          };
          await save(store, snap);
          results.push({ arn, outcome: 'fetched', snapshot: snap });
        } catch (e) {
          const error = describeError(arn, e);
          if (error.code === 'NoCredentials') {
            noCredentials = true;
            calls--; // nothing reached Bedrock
          }
          if (prev && /ResourceNotFound/i.test(error.code)) {
            const kept = { ...prev, missingSince: prev.missingSince ?? now() };
            await save(store, kept);
            results.push({ arn, outcome: 'gone', snapshot: kept, error });
          } else {
            results.push({ arn, outcome: prev ? 'kept' : 'failed', snapshot: prev, error });
          }
        }
      }
    } finally {
      for (const c of clients.values()) c.destroy();
    }
  }
  results.sort((a, b) => a.arn.localeCompare(b.arn));
  return { results, noCredentials, calls };
}
