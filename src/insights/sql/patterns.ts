/**
 * What the `pattern` command (and `diff`, `anomaly` after it) means, as engine-neutral facts:
 * CloudWatch's clustering is machine learning whose algorithm is unpublished (spec §3.15), so
 * ours is written down here and in docs/semantics.md ("pattern, diff, anomaly"). A dialect spells
 * the token masking and numbering (Dialect.patternTemplate, patternLabel); the shared lowering
 * does the rest with standard SQL.
 *
 * A value is cut into tokens (runs of PATTERN_TOKEN_CHARS) and separators (everything else:
 * spaces, quotes, brackets, `=`, `,` …). A token that holds a digit is dynamic: it is replaced by
 * a placeholder of its type (the first of PATTERN_TOKEN_TYPES whose regex matches the whole token,
 * else Token), numbered in order of appearance (`<Number-2>`). Values with the same template form
 * one pattern. Tokens without digits stay literal, so two messages that differ in a word are two
 * patterns.
 */
import type { DurationUnit } from '../ast.js';
import { periodMs } from './periods.js';

/** The characters of a token, as the inside of an RE2 character class. */
export const PATTERN_TOKEN_CHARS = 'A-Za-z0-9_.:/@+\\-';

/** RE2: a token or a run of separators (every character of a text belongs to exactly one match). */
export const PATTERN_PIECES = `[${PATTERN_TOKEN_CHARS}]+|[^${PATTERN_TOKEN_CHARS}]+`;

/** The types of dynamic tokens, tried in order; each regex (RE2) must match the whole token. */
export const PATTERN_TOKEN_TYPES: readonly { type: string; re: string }[] = [
  { type: 'UUID', re: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}' },
  {
    type: 'Timestamp',
    re: '[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?',
  },
  { type: 'IPAddress', re: '[0-9]{1,3}([.][0-9]{1,3}){3}(:[0-9]+)?' },
  { type: 'Number', re: '[-+]?[0-9]+([.][0-9]+)?' },
];

/** The type of a dynamic token no regex matches. */
export const PATTERN_OTHER_TOKEN = 'Token';

/**
 * A template holds each placeholder as \x01Type\x02 until it is numbered (control characters,
 * which no log text holds; chr(1), chr(2) in SQL). RE2 for one placeholder, with the type as group 1.
 */
export const PATTERN_MARKER_RE = '\\x01([A-Za-z]+)\\x02';

/**
 * @severityLabel, from the pattern's text (RE2, tried in order): the level words of log lines,
 * and `Exception`/`errorCode` of Bedrock error records. Nothing found: Info.
 */
export const PATTERN_SEVERITIES: readonly { label: string; re: string }[] = [
  { label: 'Error', re: '(?is).*(fatal|critical|panic|exception|error|fail).*' },
  { label: 'Warning', re: '(?is).*warn.*' },
  { label: 'Debug', re: '(?is).*\\b(debug|trace)\\b.*' },
];
export const PATTERN_DEFAULT_SEVERITY = 'Info';

/** The windows of @visualization and anomaly: the shortest of these giving at most 100 windows. */
const WINDOWS: readonly { amount: number; unit: DurationUnit }[] = [
  { amount: 1, unit: 'm' },
  { amount: 5, unit: 'm' },
  { amount: 15, unit: 'm' },
  { amount: 30, unit: 'm' },
  { amount: 1, unit: 'h' },
  { amount: 3, unit: 'h' },
  { amount: 6, unit: 'h' },
  { amount: 12, unit: 'h' },
  { amount: 1, unit: 'd' },
  { amount: 7, unit: 'd' },
  { amount: 30, unit: 'd' },
];
export const MAX_WINDOWS = 100;

/** The window of a query range (inclusive epoch-ms bounds); an open range uses 1 hour. */
export function patternWindow(
  startTime?: number,
  endTime?: number,
): { amount: number; unit: DurationUnit; ms: number } {
  const pick = (w: { amount: number; unit: DurationUnit }) => ({ ...w, ms: periodMs(w.amount, w.unit) ?? 3_600_000 });
  if (startTime === undefined || endTime === undefined) return pick({ amount: 1, unit: 'h' });
  const span = endTime - startTime + 1;
  return pick(
    WINDOWS.find((w) => span / (periodMs(w.amount, w.unit) ?? 1) <= MAX_WINDOWS) ?? WINDOWS[WINDOWS.length - 1],
  );
}

/**
 * `anomaly` (ours; CloudWatch's detector is trained on history): a pattern is anomalous when
 * - it is new: its first event falls in the last NEW_SHARE of the range, or
 * - its frequency jumps: in some window it occurs at least MIN_BURST times and at least Z_SCORE
 *   standard deviations above its mean count per window (every window of the range counted,
 *   empty ones as 0).
 */
export const ANOMALY = { newShare: 0.75, minBurst: 5, zScore: 3 } as const;
