import { MAX_JSON_DEPTH } from './limits.js';

/**
 * What of a request or response body is kept when bodies are not (the default): the parts that say
 * how a call went — latency, stop reason, token usage, inference settings, which tools were used,
 * guardrail outcomes — and none of the text: prompts, responses, system prompts, tool inputs and
 * results, reasoning, images, documents, embeddings and guardrail matches are dropped.
 *
 * The rule is a list of kept paths (an allow-list), so a shape nobody listed keeps nothing: a new
 * field in a provider's body is dropped until it is added here. The list is the union over the
 * shapes Bedrock logs (Converse and ConverseStream requests and responses; the provider-native
 * InvokeModel bodies of Anthropic, Amazon Nova, Titan, Meta Llama and Mistral; the chunk arrays of
 * InvokeModelWithResponseStream); src/logs/README.md lists it in words.
 *
 * Kept values stay where they were, so a field keeps the name it has in CloudWatch
 * (`output.outputBodyJson.metrics.latencyMs`, `output.outputBodyJson.stopReason`). Array elements
 * keep their positions (`content.1.toolUse.name` stays at 1; a dropped text block leaves `{}`),
 * except in streamed chunk arrays, where only the chunks that carry something kept remain (a
 * response of 2,000 text deltas would otherwise leave 2,000 empty chunks).
 */

/** A scalar kept as it is: a number, a boolean, or a string of at most MAX_KEPT_STRING characters. */
export const S = 's';
/** Every scalar below, at any depth (usage and metrics objects: numbers and short enum strings). */
export const A = 'a';
/** What is kept of a value: a scalar (S), every scalar below (A), nothing (null), or per key ('*': any other key; '[]': array elements). */
export type Spec = typeof S | typeof A | null | SpecObject;
export interface SpecObject {
  [key: string]: Spec | undefined;
}

/** Kept strings are short: identifiers, enum values, model ids. A longer one is text, and dropped. */
export const MAX_KEPT_STRING = 128;

const CACHE_CONTROL: SpecObject = { type: S, ttl: S };

/**
 * A guardrail trace (`trace.guardrail`, `amazon-bedrock-trace.guardrail`): assessments nest under
 * the guardrail's id and policy names, so it is walked at any depth, keeping the outcome markers
 * and dropping what was matched (`match`, `regex`, `modelOutput`, grounding sources…).
 */
const GUARD: SpecObject = {
  action: S,
  actionReason: S,
  type: S,
  confidence: S,
  filterStrength: S,
  detected: S,
  name: S,
  score: S,
  threshold: S,
  invocationMetrics: A,
  usage: A,
  guardrailCoverage: A,
  modelOutput: null,
  match: null,
  regex: null,
};
GUARD['*'] = GUARD;
GUARD['[]'] = GUARD;

const TOOL_CALLS: SpecObject = { '[]': { id: S, type: S, function: { name: S } } };

/** A content block of a request message: Converse (toolUse, image…), Anthropic (type, tool_use…), Nova. */
const REQUEST_BLOCK: SpecObject = {
  type: S,
  id: S,
  name: S,
  tool_use_id: S,
  is_error: S,
  source: { type: S, media_type: S },
  cache_control: CACHE_CONTROL,
  toolUse: { toolUseId: S, name: S },
  toolResult: { toolUseId: S, status: S },
  image: { format: S },
  document: { format: S },
  video: { format: S },
  cachePoint: { type: S },
};

const MESSAGES: SpecObject = {
  '[]': { role: S, content: { '[]': REQUEST_BLOCK }, tool_calls: TOOL_CALLS, tool_call_id: S },
};

const INPUT_BODY: SpecObject = {
  // Converse, ConverseStream, Nova messages-v1
  messages: MESSAGES,
  system: { '[]': { type: S, cache_control: CACHE_CONTROL, cachePoint: { type: S } } },
  inferenceConfig: {
    maxTokens: S,
    temperature: S,
    topP: S,
    topK: S,
    max_new_tokens: S,
    top_p: S,
    top_k: S,
  },
  toolConfig: {
    tools: { '[]': { toolSpec: { name: S }, cachePoint: { type: S } } },
    toolChoice: { tool: { name: S } },
  },
  guardrailConfig: { guardrailIdentifier: S, guardrailVersion: S, trace: S, streamProcessingMode: S },
  performanceConfig: { latency: S },
  additionalModelRequestFields: {
    top_k: S,
    thinking: { type: S, budget_tokens: S },
    reasoning_config: { type: S, budget_tokens: S, max_reasoning_effort: S },
    anthropic_beta: { '[]': S },
  },
  schemaVersion: S,
  // Anthropic Messages and the legacy Text Completions body
  anthropic_version: S,
  anthropic_beta: { '[]': S },
  max_tokens: S,
  max_tokens_to_sample: S,
  temperature: S,
  top_p: S,
  top_k: S,
  tools: { '[]': { name: S, type: S, cache_control: CACHE_CONTROL, function: { name: S } } },
  tool_choice: { type: S, name: S },
  thinking: { type: S, budget_tokens: S },
  // Titan text and embeddings
  textGenerationConfig: { maxTokenCount: S, temperature: S, topP: S },
  dimensions: S,
  normalize: S,
  embeddingTypes: { '[]': S },
  // Llama
  max_gen_len: S,
};

/** A content block of a response: Converse's toolUse, Anthropic's type/id/name (text and thinking dropped). */
const RESPONSE_BLOCK: SpecObject = { type: S, id: S, name: S, toolUse: { toolUseId: S, name: S } };

/** Keys of a response body or of a streamed chunk, whatever the provider. */
const RESPONSE_COMMON: SpecObject = {
  usage: A,
  metrics: A,
  'amazon-bedrock-invocationMetrics': A,
  'amazon-bedrock-guardrailAction': S,
  'amazon-bedrock-trace': { guardrail: GUARD },
  stop_reason: S,
  prompt_token_count: S,
  generation_token_count: S,
  inputTextTokenCount: S,
  completionReason: S,
  outputs: { '[]': { stop_reason: S } },
  choices: {
    '[]': { index: S, finish_reason: S, stop_reason: S, message: { role: S, tool_calls: TOOL_CALLS } },
  },
};

const OUTPUT_BODY: SpecObject = {
  ...RESPONSE_COMMON,
  // Converse, ConverseStream (aggregated), Nova
  output: { message: { role: S, content: { '[]': RESPONSE_BLOCK } } },
  stopReason: S,
  trace: { guardrail: GUARD, promptRouter: { invokedModelId: S } },
  performanceConfig: { latency: S },
  // Anthropic Messages
  id: S,
  type: S,
  role: S,
  model: S,
  content: { '[]': RESPONSE_BLOCK },
  // Titan text
  results: { '[]': { tokenCount: S, completionReason: S } },
};

/** One chunk of an InvokeModelWithResponseStream body. */
const STREAM_CHUNK: SpecObject = {
  ...RESPONSE_COMMON,
  // Anthropic Messages stream events
  type: S,
  index: S,
  message: { id: S, type: S, role: S, model: S, stop_reason: S, usage: A },
  content_block: { type: S, id: S, name: S },
  delta: { type: S, stop_reason: S },
  // Titan
  totalOutputTextTokenCount: S,
  // Nova (Converse-shaped stream events)
  messageStart: { role: S },
  contentBlockStart: { start: { toolUse: { toolUseId: S, name: S } }, contentBlockIndex: S },
  messageStop: { stopReason: S },
  metadata: { usage: A, metrics: A, trace: { guardrail: GUARD } },
};

/**
 * The allow-list itself, for an engine that applies it where the records are read (the Trino
 * table over the delivery layout: src/engines/trino/kept-bodies.ts) instead of at ingest.
 */
export const BODY_SPECS: { readonly input: SpecObject; readonly output: SpecObject; readonly chunk: SpecObject } = {
  input: INPUT_BODY,
  output: OUTPUT_BODY,
  chunk: STREAM_CHUNK,
};

/** Chunk keys that say nothing by themselves: a chunk with only these (a text delta) is dropped. */
export const CHUNK_FILLER: ReadonlySet<string> = new Set([
  'type',
  'index',
  'contentBlockIndex',
  'generation_token_count',
  'totalOutputTextTokenCount',
]);

function scalar(v: unknown): unknown {
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string' && v.length <= MAX_KEPT_STRING) return v;
  return undefined;
}

/** What `spec` keeps of `v` (undefined: nothing). Depth-capped: a hostile nesting keeps nothing below MAX_JSON_DEPTH. */
function keep(v: unknown, spec: Spec | undefined, depth: number): unknown {
  if (spec === undefined || spec === null || v === null || v === undefined) return undefined;
  if (spec === S) return scalar(v);
  if (typeof v !== 'object') return spec === A ? scalar(v) : undefined;
  if (depth > MAX_JSON_DEPTH) return undefined;
  if (Array.isArray(v)) {
    const el = spec === A ? A : spec['[]'];
    if (el === undefined || el === null) return undefined;
    let any = false;
    const out = v.map((x) => {
      const k = keep(x, el, depth + 1);
      if (k !== undefined) any = true;
      // Positions are kept (a field's name holds its index): a dropped element leaves {}.
      return k === undefined ? {} : k;
    });
    return any ? out : undefined;
  }
  let out: Record<string, unknown> | undefined;
  const o = v as Record<string, unknown>;
  // Object.keys, not Object.entries: no [key, value] pair allocated per member (issue 12).
  for (const key of Object.keys(o)) {
    const sub = spec === A ? A : Object.hasOwn(spec, key) ? spec[key] : spec['*'];
    const k = keep(o[key], sub, depth + 1);
    if (k !== undefined) (out ??= {})[key] = k;
  }
  return out;
}

function significantChunk(c: unknown): boolean {
  if (c === null || typeof c !== 'object' || Array.isArray(c)) return false;
  for (const [k, v] of Object.entries(c as Record<string, unknown>)) {
    if (CHUNK_FILLER.has(k)) continue;
    if (k === 'delta' && Object.keys(v as object).every((d) => d === 'type')) continue;
    return true;
  }
  return false;
}

/**
 * What is kept of a request body (`input.inputBodyJson`) or a response body
 * (`output.outputBodyJson`) when bodies are not kept; undefined when nothing is (the body is then
 * left out of the record, as before).
 */
export function redactBody(body: unknown, side: 'input' | 'output'): unknown {
  if (side === 'output' && Array.isArray(body)) {
    const chunks = body.map((c) => keep(c, STREAM_CHUNK, 2)).filter(significantChunk);
    return chunks.length > 0 ? chunks : undefined;
  }
  const out = keep(body, side === 'input' ? INPUT_BODY : OUTPUT_BODY, 1);
  return out !== null && typeof out === 'object' && !Array.isArray(out) && Object.keys(out).length === 0
    ? undefined
    : out;
}

/**
 * Whether the default ingest keeps a field of a body: `input.inputBodyJson.messages.0.role` yes,
 * `….content.0.text` (prompt text) no. Fields outside the bodies are not its business (true). The
 * query analyzer uses it to tell a store ingested with --keep-bodies (it has fields no default
 * ingest keeps) from one without, whose prompt and response fields are missing by design.
 */
export function keptByDefault(field: string): boolean {
  const m = /^(input\.inputBodyJson|output\.outputBodyJson)(?:\.(.*))?$/.exec(field);
  if (!m || m[2] === undefined) return true;
  const segs = m[2].split('.');
  let spec: Spec | undefined = m[1].startsWith('input') ? INPUT_BODY : OUTPUT_BODY;
  let i = 0;
  // A streamed response body is an array of chunks.
  if (spec === OUTPUT_BODY && /^\d+$/.test(segs[0])) {
    spec = STREAM_CHUNK;
    i = 1;
  }
  for (; i < segs.length; i++) {
    if (spec === A) return true;
    if (spec === S || spec === null || spec === undefined) return false;
    const seg = segs[i];
    spec = /^\d+$/.test(seg) ? spec['[]'] : Object.hasOwn(spec, seg) ? spec[seg] : spec['*'];
  }
  return spec !== undefined && spec !== null;
}

/** The record's part and its body key: `input.inputBodyJson`, `output.outputBodyJson`. */
export const BODY_KEYS = { input: 'inputBodyJson', output: 'outputBodyJson' } as const;

/** A JSON object (not an array, not null): what a record, its parts and its bodies must be. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The record with its bodies reduced to what redactBody keeps (key order kept; a body that keeps
 * nothing is left out). The record itself is not changed.
 */
export function redactBodies(record: Record<string, unknown>): Record<string, unknown> {
  const has = (part: 'input' | 'output'): boolean => {
    const p = record[part];
    return isPlainObject(p) && Object.hasOwn(p, BODY_KEYS[part]);
  };
  if (!has('input') && !has('output')) return record;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if ((k === 'input' || k === 'output') && has(k)) {
      const part: Record<string, unknown> = {};
      for (const [pk, pv] of Object.entries(v as Record<string, unknown>)) {
        if (pk !== BODY_KEYS[k]) part[pk] = pv;
        else {
          const kept = redactBody(pv, k);
          if (kept !== undefined) part[pk] = kept;
        }
      }
      out[k] = part;
    } else out[k] = v;
  }
  return out;
}
