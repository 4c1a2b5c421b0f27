/**
 * Builds one Bedrock ModelInvocationLog record in the shape and key order of 2025-26 captures
 * (timestamp first, schemaType/schemaVersion last), with small synthetic bodies whose usage
 * numbers agree with the token counts (so body stripping and body parsers have something real
 * to work on).
 */

export type Operation = 'Converse' | 'ConverseStream' | 'InvokeModel' | 'InvokeModelWithResponseStream';
export const OPERATIONS: readonly Operation[] = [
  'Converse',
  'ConverseStream',
  'InvokeModel',
  'InvokeModelWithResponseStream',
];

/** The provider-native body shape InvokeModel uses (Converse is the same for every family). */
export type BodyFamily = 'anthropic' | 'nova' | 'titan' | 'llama' | 'mistral';

/** JSON values as they appear in a record. */
export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** A generated record: the real field names; optional fields are absent, never null. */
export interface GeneratedRecord {
  timestamp: string;
  accountId: string;
  region: string;
  requestId: string;
  operation: Operation;
  modelId: string;
  input: {
    inputContentType: string;
    inputBodyJson?: Json;
    inputTokenCount: number;
    cacheReadInputTokenCount: number;
    cacheWriteInputTokenCount: number;
  };
  output: {
    outputContentType: string;
    outputBodyJson?: Json;
    outputTokenCount: number;
  };
  identity: { arn: string };
  inferenceRegion?: string;
  errorCode?: string;
  requestMetadata?: Record<string, string>;
  schemaType: 'ModelInvocationLog';
  schemaVersion: '1.0';
}

/** Everything that decides one record; the generator presets fill it in. */
export interface InvocationSpec {
  timeMs: number;
  accountId: string;
  region: string;
  requestId: string;
  operation: Operation;
  modelId: string;
  family: BodyFamily;
  /** The provider's model name inside Anthropic-native bodies (for example claude-sonnet-4-5-20250929). */
  modelName: string;
  /** Whether usage blocks carry cache counters (models with prompt caching). */
  caches: boolean;
  identityArn: string;
  inferenceRegion?: string;
  errorCode?: string;
  requestMetadata?: Record<string, string>;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  latencyMs: number;
  /** Synthetic texts (never real prompts). */
  system?: string;
  prompt: string;
  reply: string;
  maxTokens: number;
  /** A short id used inside native response bodies (msg_bdrk_…). */
  messageId: string;
  /** false: no bodies, as with text data delivery switched off. */
  bodies: boolean;
}

/** RFC 3339 UTC with whole seconds, as every real capture has it. */
export function formatTimestamp(ms: number): string {
  return new Date(ms - (ms % 1000)).toISOString().slice(0, 19) + 'Z';
}

export function buildRecord(s: InvocationSpec): GeneratedRecord {
  const failed = s.errorCode !== undefined;
  const withBodies = s.bodies && !failed;
  // Insertion order is the key order JSON.stringify writes: counts after the body, as captured.
  const input = (
    withBodies
      ? { inputContentType: 'application/json', inputBodyJson: inputBody(s) }
      : { inputContentType: 'application/json' }
  ) as GeneratedRecord['input'];
  input.inputTokenCount = failed ? 0 : s.inputTokens;
  input.cacheReadInputTokenCount = failed ? 0 : s.cacheReadTokens;
  input.cacheWriteInputTokenCount = failed ? 0 : s.cacheWriteTokens;
  const output = (
    withBodies
      ? { outputContentType: 'application/json', outputBodyJson: outputBody(s) }
      : { outputContentType: 'application/json' }
  ) as GeneratedRecord['output'];
  output.outputTokenCount = failed ? 0 : s.outputTokens;

  // Built field by field, in capture order: JSON.stringify keeps insertion order.
  const r = {
    timestamp: formatTimestamp(s.timeMs),
    accountId: s.accountId,
    region: s.region,
    requestId: s.requestId,
    operation: s.operation,
    modelId: s.modelId,
    input,
    output,
    identity: { arn: s.identityArn },
  } as GeneratedRecord;
  if (s.inferenceRegion !== undefined) r.inferenceRegion = s.inferenceRegion;
  if (s.errorCode !== undefined) r.errorCode = s.errorCode;
  if (s.requestMetadata !== undefined) r.requestMetadata = s.requestMetadata;
  r.schemaType = 'ModelInvocationLog';
  r.schemaVersion = '1.0';
  return r;
}

function converseUsage(s: InvocationSpec): Json {
  const total = s.inputTokens + s.cacheReadTokens + s.cacheWriteTokens + s.outputTokens;
  if (!s.caches) return { inputTokens: s.inputTokens, outputTokens: s.outputTokens, totalTokens: total };
  return {
    inputTokens: s.inputTokens,
    cacheReadInputTokens: s.cacheReadTokens,
    cacheWriteInputTokens: s.cacheWriteTokens,
    outputTokens: s.outputTokens,
    totalTokens: total,
  };
}

function invocationMetrics(s: InvocationSpec): Json {
  return {
    inputTokenCount: s.inputTokens,
    outputTokenCount: s.outputTokens,
    invocationLatency: s.latencyMs,
    firstByteLatency: Math.max(50, Math.round(s.latencyMs * 0.3)),
  };
}

function inputBody(s: InvocationSpec): Json {
  if (s.operation === 'Converse' || s.operation === 'ConverseStream') {
    const body: { [k: string]: Json } = {
      messages: [{ role: 'user', content: [{ text: s.prompt }] }],
    };
    if (s.system !== undefined) body.system = [{ text: s.system }];
    body.inferenceConfig = { maxTokens: s.maxTokens, temperature: 0.5 };
    return body;
  }
  switch (s.family) {
    case 'anthropic': {
      const body: { [k: string]: Json } = { anthropic_version: 'bedrock-2023-05-31', max_tokens: s.maxTokens };
      if (s.system !== undefined) body.system = s.system;
      body.messages = [{ role: 'user', content: [{ type: 'text', text: s.prompt }] }];
      return body;
    }
    case 'nova':
      return {
        schemaVersion: 'messages-v1',
        messages: [{ role: 'user', content: [{ text: s.prompt }] }],
        inferenceConfig: { maxTokens: s.maxTokens },
      };
    case 'titan':
      return { inputText: s.prompt, textGenerationConfig: { maxTokenCount: s.maxTokens, temperature: 0.5, topP: 0.9 } };
    case 'llama':
      return { prompt: s.prompt, max_gen_len: s.maxTokens, temperature: 0.5 };
    case 'mistral':
      return { prompt: `<s>[INST] ${s.prompt} [/INST]`, max_tokens: s.maxTokens };
  }
}

function outputBody(s: InvocationSpec): Json {
  if (s.operation === 'Converse' || s.operation === 'ConverseStream') {
    // ConverseStream is logged aggregated into one Converse-shaped object.
    return {
      output: { message: { role: 'assistant', content: [{ text: s.reply }] } },
      stopReason: 'end_turn',
      metrics: { latencyMs: s.latencyMs },
      usage: converseUsage(s),
    };
  }
  const stream = s.operation === 'InvokeModelWithResponseStream';
  switch (s.family) {
    case 'anthropic': {
      const usage = {
        input_tokens: s.inputTokens,
        cache_creation_input_tokens: s.cacheWriteTokens,
        cache_read_input_tokens: s.cacheReadTokens,
        output_tokens: s.outputTokens,
      };
      if (!stream) {
        return {
          id: s.messageId,
          type: 'message',
          role: 'assistant',
          model: s.modelName,
          content: [{ type: 'text', text: s.reply }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage,
        };
      }
      return [
        {
          type: 'message_start',
          message: {
            id: s.messageId,
            type: 'message',
            role: 'assistant',
            model: s.modelName,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { ...usage, output_tokens: 1 },
          },
        },
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: s.reply } },
        { type: 'content_block_stop', index: 0 },
        {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { output_tokens: s.outputTokens },
        },
        { type: 'message_stop', 'amazon-bedrock-invocationMetrics': invocationMetrics(s) },
      ];
    }
    case 'nova': {
      const usage = {
        inputTokens: s.inputTokens,
        outputTokens: s.outputTokens,
        totalTokens: s.inputTokens + s.cacheReadTokens + s.cacheWriteTokens + s.outputTokens,
        cacheReadInputTokenCount: s.cacheReadTokens,
        cacheWriteInputTokenCount: s.cacheWriteTokens,
      };
      if (!stream)
        return {
          output: { message: { role: 'assistant', content: [{ text: s.reply }] } },
          stopReason: 'end_turn',
          usage,
        };
      return [
        { messageStart: { role: 'assistant' } },
        { contentBlockDelta: { delta: { text: s.reply }, contentBlockIndex: 0 } },
        { contentBlockStop: { contentBlockIndex: 0 } },
        { messageStop: { stopReason: 'end_turn' } },
        {
          metadata: { usage: { inputTokens: s.inputTokens, outputTokens: s.outputTokens } },
          'amazon-bedrock-invocationMetrics': invocationMetrics(s),
        },
      ];
    }
    case 'titan':
      if (!stream)
        return {
          inputTextTokenCount: s.inputTokens,
          results: [{ tokenCount: s.outputTokens, outputText: s.reply, completionReason: 'FINISH' }],
        };
      return [
        {
          outputText: s.reply,
          index: 0,
          totalOutputTextTokenCount: s.outputTokens,
          completionReason: 'FINISH',
          inputTextTokenCount: s.inputTokens,
          'amazon-bedrock-invocationMetrics': invocationMetrics(s),
        },
      ];
    case 'llama':
      if (!stream)
        return {
          generation: s.reply,
          prompt_token_count: s.inputTokens,
          generation_token_count: s.outputTokens,
          stop_reason: 'stop',
        };
      return [
        {
          generation: s.reply,
          prompt_token_count: s.inputTokens,
          generation_token_count: s.outputTokens,
          stop_reason: 'stop',
          'amazon-bedrock-invocationMetrics': invocationMetrics(s),
        },
      ];
    case 'mistral':
      if (!stream) return { outputs: [{ text: s.reply, stop_reason: 'stop' }] };
      return [
        { outputs: [{ text: s.reply, stop_reason: 'stop' }], 'amazon-bedrock-invocationMetrics': invocationMetrics(s) },
      ];
  }
}
