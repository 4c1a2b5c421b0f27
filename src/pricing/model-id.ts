import { PROFILES, type Profile } from './types.js';

/** The forms a Bedrock `modelId` takes in invocation logs, taken apart (no price lookup here). */
export type ModelIdForm =
  | 'base' // anthropic.claude-3-haiku-20240307-v1:0
  | 'profile' // us.anthropic.claude-sonnet-4-6, global.…
  | 'inference-profile-arn' // arn:aws:bedrock:<region>:<acct>:inference-profile/<profile id>
  | 'foundation-model-arn' // arn:aws:bedrock:<region>::foundation-model/<base id>
  | 'application-profile-arn' // arn:aws:bedrock:<region>:<acct>:application-inference-profile/<random id>
  | 'other-arn' // provisioned-model, custom-model-deployment, prompt, prompt-router, sagemaker…
  | 'empty';

export interface ParsedModelId {
  /** The modelId as logged. */
  raw: string;
  form: ModelIdForm;
  profile: Profile | null;
  /** The base model id (no ARN, no profile prefix); null for ARNs that hide the model. */
  model: string | null;
  /** The region named in an ARN, if any. */
  arnRegion: string | null;
  /** The ARN resource type (`application-inference-profile`, `provisioned-model`…) for ARNs. */
  arnResource: string | null;
}

const ARN_RE = /^arn:aws[a-z-]*:bedrock:([^:]*):[^:]*:([a-z-]+)\/(.+)$/;
const REGION_RE = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const ARN_ANY_RE = /^arn:aws[a-z-]*:([a-z0-9-]+):([a-z0-9-]*):[^:]*:([a-z-]+)[/:](.+)$/;

/** Split a cross-region profile prefix off a model id: `us.anthropic.x` -> { us, anthropic.x }. */
export function splitProfile(id: string): { profile: Profile | null; model: string } {
  // Longest first, so `us-gov.` is not read as `us` + `-gov.…`.
  for (const p of [...PROFILES].sort((a, b) => b.length - a.length)) {
    const rest = id.startsWith(`${p}.`) ? id.slice(p.length + 1) : null;
    // A profile prefix is followed by a provider-qualified id (`anthropic.…`), never a bare name.
    if (rest && rest.includes('.')) return { profile: p, model: rest };
  }
  return { profile: null, model: id };
}

export function parseModelId(modelId: string | null | undefined): ParsedModelId {
  const raw = (modelId ?? '').trim();
  if (!raw) return { raw, form: 'empty', profile: null, model: null, arnRegion: null, arnResource: null };
  if (raw.startsWith('arn:')) {
    const m = ARN_RE.exec(raw);
    if (m) {
      const arnRegion = REGION_RE.test(m[1]) ? m[1] : null;
      const resource = m[2];
      const id = m[3];
      if (resource === 'inference-profile') {
        const { profile, model } = splitProfile(id);
        return { raw, form: 'inference-profile-arn', profile, model, arnRegion, arnResource: resource };
      }
      if (resource === 'foundation-model') {
        const { profile, model } = splitProfile(id);
        return { raw, form: 'foundation-model-arn', profile, model, arnRegion, arnResource: resource };
      }
      if (resource === 'application-inference-profile') {
        return { raw, form: 'application-profile-arn', profile: null, model: null, arnRegion, arnResource: resource };
      }
      return { raw, form: 'other-arn', profile: null, model: null, arnRegion, arnResource: resource };
    }
    const other = ARN_ANY_RE.exec(raw);
    return {
      raw,
      form: 'other-arn',
      profile: null,
      model: null,
      arnRegion: other?.[2] || null,
      arnResource: other ? `${other[1]}:${other[3]}` : null,
    };
  }
  const { profile, model } = splitProfile(raw);
  return { raw, form: profile ? 'profile' : 'base', profile, model, arnRegion: null, arnResource: null };
}

/**
 * The id without its date and version suffixes, for matching ids that differ only there:
 * `anthropic.claude-sonnet-4-5-20250929-v1:0` and `anthropic.claude-sonnet-4-5` share
 * `anthropic.claude-sonnet-4-5`; context-window variants (`…-v1:0:200k`) and `-v1`/`:0` go too.
 */
export function familyKey(model: string): string {
  return model
    .toLowerCase()
    .replace(/:\d+k$/, '') // context-window variant
    .replace(/(-v\d+)?(:\d+)?$/, '') // version
    .replace(/-\d{8}$/, ''); // release date
}

/** The release date in an id (`-20250929-`), as a sortable string, or '' when it has none. */
export function releaseDate(model: string): string {
  return /-(\d{8})(?:-v\d+)?(?::\d+)?(?::\d+k)?$/.exec(model)?.[1] ?? '';
}

/**
 * Claude 4.5 and newer: the models whose geographic cross-region profiles (us., eu., jp., au.,
 * apac.) cost 10% more than the global profile and the base id (spec section 4).
 */
export function isClaude45OrNewer(model: string): boolean {
  const m = /^anthropic\.claude-(?:[a-z]+-)?(\d+)(?:-(\d{1,2}))?(?:-|$|:)/.exec(model);
  if (!m) return false;
  // claude-3-5-sonnet puts the version first; claude-sonnet-4-5 after the name. A one- or
  // two-digit group after the major is the minor; an eight-digit group is a date.
  const major = Number(m[1]);
  const minor = m[2] !== undefined ? Number(m[2]) : 0;
  return major > 4 || (major === 4 && minor >= 5);
}
