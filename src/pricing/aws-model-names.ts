/**
 * AWS Price List display names (the `model` attribute of an `AmazonBedrock` offer product) -> the
 * Bedrock model id an invocation log carries, which is how the book keys its entries.
 *
 * The Price List never states the model id, and its names do not derive from ids by a rule
 * ("GLM 5" is `zai.glm-5`, "Claude 2.1" is `anthropic.claude-v2:1`), so the mapping is a list, not a
 * guess: a name not listed here is reported by `prices update` and its prices are not imported
 * (add them to the prices file instead). Where each name was seen:
 * - in real offer records (test/fixtures/aws-price-list-bedrock-sample.json): Nova Pro,
 *   Claude 3 Haiku, GLM 5;
 * - in public code that reads the live `AmazonBedrock` offer (not in our fixture; the names are
 *   as those programs match them, so *unverified here*): Claude Instant, Claude 2.0, Claude 2.1,
 *   Claude 3 Sonnet, Llama 3 8B, Nova Micro, Nova Lite, Llama 3.3 70B, Llama 3.1 70B,
 *   Llama 3.2 90B.
 */
export const AWS_MODEL_NAMES: Readonly<Record<string, string>> = {
  'Nova Pro': 'amazon.nova-pro-v1:0',
  'Claude 3 Haiku': 'anthropic.claude-3-haiku-20240307-v1:0',
  'GLM 5': 'zai.glm-5',
  'Nova Micro': 'amazon.nova-micro-v1:0',
  'Nova Lite': 'amazon.nova-lite-v1:0',
  'Claude Instant': 'anthropic.claude-instant-v1',
  'Claude 2.0': 'anthropic.claude-v2',
  'Claude 2.1': 'anthropic.claude-v2:1',
  'Claude 3 Sonnet': 'anthropic.claude-3-sonnet-20240229-v1:0',
  'Llama 3 8B': 'meta.llama3-8b-instruct-v1:0',
  'Llama 3.3 70B': 'meta.llama3-3-70b-instruct-v1:0',
  'Llama 3.1 70B': 'meta.llama3-1-70b-instruct-v1:0',
  'Llama 3.2 90B': 'meta.llama3-2-90b-instruct-v1:0',
};
