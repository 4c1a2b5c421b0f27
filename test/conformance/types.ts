/**
 * The conformance case format (see README.md). Case files are plain JSON so that any engine
 * (embedded DuckDB, CloudWatch pass-through, Athena…) can be judged by the same data.
 */

/** One expected result row: field name -> value text exactly as CloudWatch prints it. Absent key = absent field. */
export type ExpectedRow = Record<string, string>;

export interface ExpectedWarning {
  /** Diagnostic code or code prefix. */
  code?: string;
  /** Case-insensitive substring of the warning message (or its suggestion). */
  includes?: string;
}

export interface RowsExpectation {
  /** Output column names in order (without @ptr). */
  columns?: string[];
  /** Expected rows (sparse). With `subset`, only these must be present. */
  rows?: ExpectedRow[];
  /** Compare row order too. */
  ordered?: boolean;
  /** Numbers within this absolute tolerance are equal. */
  numericTolerance?: number;
  /** Limit numericTolerance to these fields (others compare exactly). */
  toleranceFields?: string[];
  /** The expected rows must be present; other rows may exist too. */
  subset?: boolean;
  /** Exact number of rows (useful when rows are too many to list). */
  rowCount?: number;
  /** At least this many rows. */
  minRows?: number;
  /** Fields that must be absent from every row. */
  absentFields?: string[];
  /** Each expected row holds the largest `field` among the result rows with the same `group` value. */
  topPerGroup?: { group: string; field: string };
  /** `last`: every row ends with @ptr (non-aggregated); `absent`: no row has @ptr (stats). */
  ptr?: 'last' | 'absent';
  /** QueryResult.truncated must equal this. */
  truncated?: boolean;
  /** Each listed warning must be reported (by code prefix and/or message text). */
  warnings?: ExpectedWarning[];
  /** Field values every row must have (other fields are not checked). */
  eachRow?: ExpectedRow;
  /** The sum of a numeric field over all result rows (e.g. hourly totals add up to the whole). */
  columnSums?: Record<string, number>;
  /** QueryResult.statistics members that must have exactly these values (e.g. recordsMatched). */
  statistics?: { recordsMatched?: number; recordsScanned?: number; logGroupsScanned?: number };
}

export interface ErrorExpectation {
  /** Diagnostic code or code prefix of an error ('' accepts any code). */
  error: string;
  /** Case-insensitive substring that some error message must contain (e.g. the command name). */
  errorIncludes?: string;
}

export type Expectation = RowsExpectation | ErrorExpectation;

export interface ConformanceCase {
  name: string;
  /** Spec section, evidence tag ([Doc], [Obs], [Doc-ex] or "unconfirmed: recommended default") and one line. */
  rule: string;
  /** Name of a data set in datasets/ (without extension). */
  dataset: string;
  /** The query text; an array is joined with newlines. */
  query?: string | string[];
  /** A query file, relative to the repository root, read verbatim (the user's seed queries). */
  queryFile?: string;
  logGroups?: string[];
  /** ISO-8601 bounds (inclusive). */
  start?: string;
  end?: string;
  /** StartQuery's `limit`. */
  limit?: number;
  /** Lift the 10,000-row cap (our product's `--no-row-cap`, not CloudWatch's). */
  noRowCap?: boolean;
  expect: Expectation;
}

export interface CaseFile {
  /** What the file covers. */
  description: string;
  cases: ConformanceCase[];
}

export function isErrorExpectation(e: Expectation): e is ErrorExpectation {
  return typeof (e as ErrorExpectation).error === 'string';
}

/** A data set line: either a Bedrock invocation record or a generic log event. */
export interface BedrockLine {
  bedrock: unknown;
  logGroup?: string;
  ingestionTime?: string | number;
}
export interface GenericLine {
  logGroup: string;
  logStream: string;
  timestamp: string | number;
  /** Text, or a JSON object/array serialised as the message. */
  message: string | Record<string, unknown> | unknown[];
  ingestionTime?: string | number;
}
/** A line holding only `comment` documents the data set and is skipped. */
export interface CommentLine {
  comment: string;
}

/** A data set described by a generator instead of listed events (`<name>.gen.json`). */
export type GeneratedDataset =
  | {
      kind: 'sequence';
      comment?: string;
      count: number;
      logGroup: string;
      logStream: string;
      /** ISO time of event 0; event i is at start + i * stepMs. */
      start: string;
      stepMs: number;
      /** `{i}` is replaced by the event index. */
      messageTemplate: string;
    }
  | {
      kind: 'demo';
      comment?: string;
      preset: string;
      records?: number;
      days?: number;
      seed?: number | string;
      end?: string;
    };
