/**
 * Short model names for tables people read in a terminal or on a page: a full id such as
 * `arn:aws:bedrock:us-west-2:111122223333:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0`
 * made a chargeback table 230 columns wide. CSV and JSON keep the full ids; HTML shows the full
 * id on hover.
 */

const ARN_RE = /^arn:aws[a-z-]*:bedrock:[^:]*:[^:]*:([a-z-]+)\/(.+)$/;
/** The provider segment of a model id (`anthropic.`, `amazon.`, `meta.` …), after an optional profile prefix. */
const PROVIDER_RE = /^((?:us-gov|us|eu|apac|jp|au|global)\.)?[a-z0-9-]+\.(?=[a-z0-9])/;

/** `us.anthropic.claude-sonnet-4-5-20250929-v1:0` -> `us.claude-sonnet-4-5`. */
function shortId(id: string): string {
  return id
    .replace(PROVIDER_RE, '$1')
    .replace(/-\d{8}(?=-|:|$)/, '') // release date
    .replace(/(-v\d+)?(:\d+)?$/, ''); // version suffix
}

/** One model id, abbreviated (not guaranteed unique: use shortModelNames for a set). */
export function abbreviateModelId(id: string): string {
  const arn = ARN_RE.exec(id);
  if (!arn) return shortId(id) || id;
  const [, kind, rest] = arn;
  if (kind === 'application-inference-profile') return `app-profile/${rest}`;
  if (kind === 'inference-profile' || kind === 'foundation-model') return `${shortId(rest)} (arn)`;
  return `${kind}/${rest}`;
}

/** Short names for a set of model ids; ids whose short names would collide keep their full id. */
export function shortModelNames(ids: Iterable<string>): Map<string, string> {
  const all = [...new Set(ids)];
  const short = new Map(all.map((id) => [id, abbreviateModelId(id)]));
  const count = new Map<string, number>();
  for (const s of short.values()) count.set(s, (count.get(s) ?? 0) + 1);
  for (const [id, s] of short) if ((count.get(s) ?? 0) > 1) short.set(id, id);
  return short;
}
