/**
 * Lambda platform fields read from text log lines (`REPORT RequestId: … Duration: 14.97 ms …`,
 * spec §2.1): the RE2 patterns every dialect applies to @message of generic events. Memory is
 * in MB of 10^6 bytes.
 */
export interface LambdaFieldPattern {
  /** Tried in order; the first that matches gives the value (capture group 1). */
  patterns: readonly string[];
  /** Read as a number, multiplied by `scale`. */
  numeric?: { scale: number };
}

export const LAMBDA_PATTERNS: Readonly<Record<string, LambdaFieldPattern>> = {
  '@type': {
    patterns: ['^(START|END|REPORT|INIT_START|INIT_REPORT|RESTORE_START|RESTORE_REPORT|EXTENSION|TELEMETRY) '],
  },
  '@requestId': {
    patterns: ['^(?:START|END|REPORT) RequestId: ([^\\s]+)', '^\\[?[A-Z]+\\]?\\t[^\\t]+\\t([0-9a-fA-F-]{8,})\\t'],
  },
  '@duration': { patterns: ['^REPORT .*\\tDuration: ([0-9.]+) ms'], numeric: { scale: 1 } },
  '@billedDuration': { patterns: ['^REPORT .*Billed Duration: ([0-9.]+) ms'], numeric: { scale: 1 } },
  '@memorySize': { patterns: ['^REPORT .*Memory Size: ([0-9.]+) MB'], numeric: { scale: 1_000_000 } },
  '@maxMemoryUsed': { patterns: ['^REPORT .*Max Memory Used: ([0-9.]+) MB'], numeric: { scale: 1_000_000 } },
  '@initDuration': { patterns: ['^REPORT .*Init Duration: ([0-9.]+) ms'], numeric: { scale: 1 } },
  '@xrayTraceId': { patterns: ['^REPORT .*XRAY TraceId: ([^\\s]+)'] },
  '@xraySegmentId': { patterns: ['^REPORT .*SegmentId: ([^\\s]+)'] },
};
