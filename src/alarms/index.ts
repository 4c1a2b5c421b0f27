/** Alarms: what the CLI, the API and the server's scheduler call. */
export {
  AlarmDefinition,
  BUILTIN_TOKEN_USAGE_ALARM,
  builtinAlarms,
  parseAlarmDefinition,
  type AlarmState,
  type FieldProblem,
  type NotifyTarget,
} from './definition.js';
export { AlarmStore, type HistoryEntry, type NotificationRow, type SeriesState, type StoredAlarm } from './store.js';
export {
  evaluateAlarms,
  deliverPending,
  testNotify,
  createSource,
  type AlarmRuntime,
  type EvaluationReport,
  type Transition,
} from './evaluate.js';
export { backtest, backtestData, chartValues, replay, type BacktestData, type BacktestResult } from './backtest.js';
export { suggestThreshold, roundSignificant, type ThresholdSuggestion } from './suggest.js';
export { startAlarmScheduler, type AlarmScheduler } from './scheduler.js';
export { describeTarget, signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER, SMTP_URL_ENV } from './notify/channels.js';
export { targetFromAddress } from './cliText.js';
