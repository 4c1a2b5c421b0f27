/**
 * bedrock-insights/tagging: attach request metadata to Amazon Bedrock runtime calls so that every
 * invocation log record can be attributed (application, environment, tenant, cost center…).
 */
export {
  addRequestMetadata,
  withRequestMetadata,
  resolveMetadata,
  REQUEST_METADATA_HEADER,
  type Metadata,
  type TaggingOptions,
} from './middleware.js';
export { validateRequestMetadata, MAX_KEYS, MAX_KEY_LENGTH, MAX_VALUE_LENGTH, MAX_HEADER_LENGTH } from './validate.js';
