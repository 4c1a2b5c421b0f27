/** The CloudWatch Logs–compatible API: what the server, the CLI and the alarms call. */
export {
  createCloudWatchLogsApi,
  isLoopbackAddress,
  SUPPORTED_OPERATIONS,
  type ApiRequest,
  type ApiResponse,
  type AuthMode,
  type CloudWatchApiOptions,
  type CloudWatchLogsApi,
} from './handler.js';
export {
  cloudWatchApiForServe,
  cloudWatchApiMount,
  registerCloudWatchLogsApi,
  type ServeCloudWatchOptions,
} from './plugin.js';
export {
  ACCESS_KEYS_ENV,
  ACCOUNT_ID_ENV,
  accessKeysFromConfig,
  loadAccessKeys,
  loadApiCredentials,
  type ApiCredentials,
  parseAccessKeyList,
  type LoadAccessKeysOptions,
} from './accessKeys.js';
export {
  compileFilterPattern,
  dimensionValueOf,
  matchFilterPattern,
  metricValueOf,
  parseFilterPattern,
  splitDelimited,
  type FilterPattern,
  type MatchResult,
} from './filterPattern.js';
export {
  MetricFilterStore,
  METRIC_FILTERS_DDL,
  type MetricFilter,
  type MetricTransformation,
} from './metricFilterStore.js';
export { verifySigV4, type VerifiedCaller } from './sigv4.js';
