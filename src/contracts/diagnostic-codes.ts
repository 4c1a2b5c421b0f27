/**
 * Every diagnostic and error code the product emits, with where it comes from and what it means.
 * The last section of docs/diagnostics.md ("Every code") is generated from this list by
 * `npm run docs:diagnostics`; test/repo/diagnostics.test.ts fails when a code raised in src/ is
 * missing here, when an entry here is raised nowhere, or when the page was not regenerated.
 * Codes never change meaning; new ones are added. The sections above the generated one give the
 * query language's codes with examples and the decisions behind them.
 */

export type CodeArea =
  | 'query text'
  | 'query run'
  | 'store'
  | 'server'
  | 'CLI'
  | 'ingest'
  | 'pricing'
  | 'alarms'
  | 'reports'
  | 'workspace'
  | 'tagging'
  | 'CloudWatch API'
  | 'Trino and Athena';

export interface CodeEntry {
  code: string;
  area: CodeArea;
  /** When it is raised, in one line. */
  meaning: string;
}

const q = (code: string, meaning: string): CodeEntry => ({ code, area: 'query text', meaning });

export const DIAGNOSTIC_CODES: readonly CodeEntry[] = [
  // The query text: lexer, parser, composition rules, saved queries, analyzer (sections above).
  q('LEX_UNTERMINATED_STRING', 'A quoted string has no closing quote.'),
  q('LEX_UNTERMINATED_REGEX', 'A /regex/ is not closed on its line.'),
  q('LEX_UNTERMINATED_BACKTICK', 'A `name` in backticks is not closed on its line.'),
  q('LEX_UNEXPECTED_CHAR', 'A character that is no part of the language.'),
  q('PARSE_EMPTY_QUERY', 'The query holds no command.'),
  q('PARSE_UNEXPECTED_TOKEN', 'A token that cannot come here (the generic syntax error).'),
  q('PARSE_EXPECTED_COMMAND', 'A segment does not start with a command word.'),
  q('PARSE_UNKNOWN_COMMAND', 'A word that is no command; the closest one is suggested.'),
  q('PARSE_SORT_KEY_NOT_NAME', 'A sort key is an expression, not a field or alias name.'),
  q('PARSE_LIMIT_RANGE', 'limit/head N is not a whole number from 1 to 100,000.'),
  q('PARSE_GLOB_ALIAS_COUNT', 'A glob parse has a different number of * than names after as.'),
  q('PARSE_REGEX_NO_GROUPS', 'A regex parse has no named group and no as list.'),
  q('PARSE_MODE_UNSUPPORTED', 'parse … XML.'),
  q('PARSE_LIKE_PATTERN', 'like / =~ without a string or /regex/ on the right.'),
  q('PARSE_IN_TARGET', 'in without a [list] or a subquery.'),
  q('PARSE_SOURCE_NOT_FIRST', 'SOURCE after the first command.'),
  q('PARSE_SOURCE_PARAMETER', 'logGroups() with an unknown key.'),
  q('PARSE_SOURCE_UNSUPPORTED', 'SOURCE dataSource(…).'),
  q('PARSE_SAVED_QUERY_NOT_EXPANDED', 'A $Name(…) invocation reached the parser unexpanded.'),
  q('PARSE_NOT_PRECEDENCE', 'Warning: not x = 1 compares (not x) with 1.'),
  q('PARSE_SPACE_AFTER_AT', 'Warning: @ message with a space is read as @message.'),
  q('PARSE_TOO_DEEP', 'An expression nests more than 200 levels.'),
  q('PARSE_INTERNAL', 'A bug in the parser, caught; please report the query.'),
  q('RULE_TOO_MANY_STATS', 'More than two stats commands.'),
  q('RULE_SORT_BEFORE_STATS', 'sort before the last stats.'),
  q('RULE_LIMIT_BEFORE_STATS', 'limit/head before the last stats.'),
  q('RULE_AFTER_DEDUP', 'A command other than limit after dedup.'),
  q('RULE_EPHEMERAL_REDEFINED', 'A parse name or alias names a field an earlier command defined.'),
  q('RULE_FILLMISSING_PLACEMENT', 'fillmissing without a stats before it.'),
  q('RULE_INTERNAL', 'A bug in the composition checks, caught.'),
  q('LOG_GROUP_UNSEEN', 'Warning (check without a store): a named log group cannot be verified.'),
  q('PATTERN_AFTER_STATS', 'pattern after stats (it reads events, not rows of a stats result).'),
  q('DIFF_NEEDS_RANGE', 'diff run without a time range to compare against the previous one.'),
  q('DIFF_NEEDS_EVENTS', 'diff after pattern with a command that does not work event by event.'),
  q('RANGE_SHIFT_TWICE', 'Two commands that move the time range (diff, stats … offset) in one query.'),
  q('ANOMALY_NEEDS_EVENTS', 'anomaly after pattern with a command that does not work event by event.'),
  q('OFFSET_NEEDS_BIN', 'stats … offset without a by bin(…) to shift.'),
  q('FIELD_AFTER_STATS', 'Warning: a field the stats did not output is referenced after it (missing, as CloudWatch).'),
  q('BODIES_NOT_KEPT', 'Warning: a body field or @message text the store did not keep (ingest with --keep-bodies).'),
  q('PERIOD_CAPPED', 'Warning: a bin/datefloor/rate period over the cap, read as the spelling meant.'),
  q('REGEX_INVALID', 'A regex that does not compile (RE2) or is too large to run.'),
  q('SAVED_UNKNOWN_QUERY', 'A $Name(…) names no saved query.'),
  q('SAVED_REQUIRED_PARAMETERS', 'A {{param}} has no value and no default.'),
  q('SAVED_TOO_MANY_PARAMETERS', 'More than 20 parameters.'),
  q('SAVED_DUPLICATE_PARAMETER', 'The same parameter twice in one invocation.'),
  q('SAVED_UNKNOWN_PARAMETER', 'A parameter the saved query does not have.'),
  q('SAVED_PARAMETER_NAME', 'A parameter name that is not an identifier.'),
  q('SAVED_NESTED', 'A saved query invokes another saved query.'),
  q('SAVED_TOO_LONG', 'The expanded query is longer than 10,000 characters.'),
  q('SAVED_SYNTAX', 'A malformed $Name(…) invocation.'),
  q('UNKNOWN_FUNCTION', 'A function the language does not have; the closest one is suggested.'),
  q('WRONG_ARGUMENT_COUNT', 'A function called with too few or too many arguments.'),
  q('AGGREGATE_NOT_ALLOWED', 'An aggregate function outside stats.'),
  q('GROUP_FUNCTION_NOT_ALLOWED', 'A grouping function (bin) where it cannot be used.'),
  q('NOT_AGGREGATED', 'A stats expression that is neither aggregated nor grouped by.'),
  q('FIELD_NOT_AVAILABLE', 'A field that an earlier stats or fields command dropped.'),
  q('TOO_MANY_STATS', 'More than two stats commands (analyzer check).'),
  q('BIN_AFTER_STATS', 'bin() used after the stats it belongs in.'),
  q('BAD_PERIOD', 'A bin() or time period that is not a positive duration.'),
  q('BAD_PERCENTILE', 'A percentile outside 0 to 100.'),
  q('BAD_ARGUMENT', 'A function argument of the wrong kind (e.g. a format that is not a quoted string).'),
  q('STAR_NOT_ALLOWED', '* where only count(*) takes it.'),
  q('LIST_NOT_ALLOWED', 'A [list] anywhere but after in / not in.'),
  q('NOT_A_MAP', '. or [ ] on a value that is not a jsonParse() map or list.'),
  q('MAP_NOT_ALLOWED', 'A map or list where a single value is needed (sorted, grouped, compared).'),
  q('REGEX_UNSUPPORTED', 'A regex feature RE2 cannot run (look-around, back-references).'),
  q('PARSE_ARITY', 'A glob parse pattern whose * count differs from its names (analyzer check).'),
  q('PARSE_NO_GROUPS', 'A parse regex without named groups (analyzer check).'),
  q('LIMIT_TOO_LARGE', 'A limit above what the command allows.'),
  q('LIMIT_TOO_SMALL', 'A limit below 1.'),
  q('UNSUPPORTED_COMMAND', 'A command this engine does not run (named in the message).'),
  q('FILLMISSING_NEEDS_BIN', 'fillmissing after a stats that does not group by bin().'),
  q('FILLMISSING_FIELD', 'fillmissing names a field the stats does not produce.'),
  q('UNNEST_SPLIT', 'unnest of a split() result (CloudWatch rejects it).'),
  q('SOURCE_TIME_INVALID', 'SOURCE start= / end= that is not a time.'),
  q('LOG_GROUP_NOT_FOUND', 'A log group the store does not hold.'),
  q('FIELD_NEVER_SEEN', 'Warning: a field no event in the range has; the closest one is suggested.'),
  q('SOURCE_OVERRIDES_LOG_GROUPS', 'Warning: SOURCE names log groups, so the selected ones are not used.'),
  q('SOURCE_FILTER_IGNORED', 'Warning: a SOURCE filter this store cannot apply.'),
  q('NO_LOG_GROUPS', 'Warning: no log group is selected, so the query reads none.'),
  q('ANALYZER_INTERNAL', 'A bug in the analyzer, caught; please report the query.'),
  q('QUERY_TOO_LONG', 'The query text is longer than 10,000 characters.'),
  q('QUERY_INVALID', 'The query has errors (details.diagnostics lists them); nothing ran.'),

  // Running a query.
  { code: 'ROW_CAP_REACHED', area: 'query run', meaning: 'Warning: the result was cut at 10,000 rows.' },
  {
    code: 'RESULT_TOO_LARGE',
    area: 'query run',
    meaning: 'Warning: the result was cut at the memory one query may hold.',
  },
  { code: 'QUERY_TIMEOUT', area: 'query run', meaning: 'The query ran past its time limit.' },
  { code: 'QUERY_OUT_OF_MEMORY', area: 'query run', meaning: 'DuckDB needed more than its memory limit.' },
  { code: 'QUERY_FAILED', area: 'query run', meaning: 'Any other failure while running.' },
  { code: 'QUERY_CANCELLED', area: 'query run', meaning: 'The caller cancelled the query (Ctrl-C, a closed export).' },
  { code: 'ADMISSION_ABORTED', area: 'query run', meaning: 'The query was stopped while it waited for a slot.' },
  { code: 'ENGINE_UNAVAILABLE', area: 'query run', meaning: 'The engine is not there (the store is being reopened).' },

  // The store.
  {
    code: 'STORE_MISSING',
    area: 'store',
    meaning: 'No store at the --db path; only ingest, demo, sync and serve --create make one.',
  },
  {
    code: 'STORE_LOCKED',
    area: 'store',
    meaning:
      'Another process that is no server (an ingest) kept the store open past --wait; a store a serve or demo holds is used through it.',
  },
  {
    code: 'SERVER_GONE',
    area: 'CLI',
    meaning: 'The server that held the store stopped while it ran the command; run it again.',
  },
  { code: 'BODY_TOO_LARGE', area: 'server', meaning: 'HTTP 413: a request body larger than the server takes.' },
  {
    code: 'SERVER_UNREACHABLE',
    area: 'CLI',
    meaning: '<store>.server.json names a live process that does not answer.',
  },
  { code: 'CONTROL_TOKEN', area: 'server', meaning: "HTTP 401: a control-channel request without the store's token." },
  { code: 'CONTROL_REFUSED', area: 'server', meaning: 'HTTP 403: a control-channel request not from loopback.' },
  {
    code: 'CONTROL_COMMAND',
    area: 'server',
    meaning: 'HTTP 400: a control-channel request for a command that does not work on a store.',
  },
  { code: 'CONTROL_FAILED', area: 'CLI', meaning: 'The server refused the command with an answer that is not ours.' },
  {
    code: 'INGEST_CANCELLED',
    area: 'ingest',
    meaning: 'Ctrl-C: what was stored stays, each record once; the same ingest again completes it (exit 130).',
  },
  {
    code: 'STORE_CONFLICT',
    area: 'store',
    meaning: 'Two writes to the same rows collided; retry (the CloudWatch API answers OperationAbortedException).',
  },
  { code: 'STORE_DAMAGED', area: 'store', meaning: 'The file is cut short or overwritten.' },
  { code: 'STORE_NOT_DUCKDB', area: 'store', meaning: 'The file is not a DuckDB database.' },
  { code: 'STORE_SCHEMA_INVALID', area: 'store', meaning: 'The schema version is missing or not ours.' },
  { code: 'STORE_TOO_NEW', area: 'store', meaning: 'Written by a newer bedrock-insights.' },
  { code: 'STORE_OPEN_FAILED', area: 'store', meaning: 'Opening failed otherwise (permissions, a missing folder).' },
  {
    code: 'STORE_INVALIDATED',
    area: 'store',
    meaning: 'DuckDB invalidated the store after a fatal error; the server reopens it.',
  },
  { code: 'STORE_UNAVAILABLE', area: 'store', meaning: 'HTTP 503: the server is reopening the store.' },

  // The server.
  { code: 'INVALID_REQUEST', area: 'server', meaning: 'HTTP 400: a request field is wrong.' },
  {
    code: 'NOT_FOUND',
    area: 'server',
    meaning: 'HTTP 404, or a named thing (a source, a folder) that does not exist.',
  },
  { code: 'UNSUPPORTED_MEDIA_TYPE', area: 'server', meaning: 'HTTP 415: a body that is not JSON.' },
  { code: 'HOST_NOT_ALLOWED', area: 'server', meaning: 'HTTP 403: a Host header that is not allowed (DNS rebinding).' },
  { code: 'CROSS_SITE_REQUEST', area: 'server', meaning: 'HTTP 403: a change sent by another site.' },
  { code: 'TOKEN_REQUIRED', area: 'server', meaning: 'Binding beyond loopback needs an access token.' },
  { code: 'AUTH_REQUIRED', area: 'server', meaning: '--no-auth beyond loopback; configure access keys instead.' },
  { code: 'ACCESS_KEYS_INVALID', area: 'server', meaning: 'An access-key entry that is not ID:SECRET.' },
  {
    code: 'CONFIG_INVALID',
    area: 'server',
    meaning: '<store>.config.json (engines, access keys) or <store>.sources.json cannot be read.',
  },
  { code: 'LISTEN_FAILED', area: 'server', meaning: 'The server cannot listen on the address.' },
  { code: 'PORT_IN_USE', area: 'server', meaning: 'The port is taken; pick another with --port (0: any free one).' },

  // The CLI.
  {
    code: 'INVALID_ARGUMENT',
    area: 'CLI',
    meaning: 'A bad argument or option (commander usage errors included); exit status 2.',
  },
  { code: 'QUERY_FILE', area: 'CLI', meaning: 'query -f FILE cannot be read.' },
  { code: 'OUTPUT_EXISTS', area: 'CLI', meaning: 'generate would overwrite its output; pass --force.' },
  { code: 'NO_SOURCES', area: 'CLI', meaning: 'sync has no configured source.' },
  { code: 'NOT_IMPLEMENTED', area: 'CLI', meaning: 'A step this build does not have.' },
  { code: 'CHROMIUM_MISSING', area: 'reports', meaning: 'report --pdf needs Chromium.' },
  { code: 'PLAYWRIGHT_MISSING', area: 'reports', meaning: 'report --pdf needs playwright-core.' },

  // Ingest and sources.
  { code: 'INGEST_PATH_NOT_FOUND', area: 'ingest', meaning: 'An ingest path that does not exist.' },
  {
    code: 'INGEST_REJECTED',
    area: 'ingest',
    meaning: 'With --strict: a record that cannot be stored (file and line named).',
  },
  {
    code: 'INGEST_THREAD_FAILED',
    area: 'ingest',
    meaning:
      'The thread normalising records failed; run the ingest again (BEDROCK_INSIGHTS_INGEST_THREADS=0 normalises on the main thread).',
  },
  { code: 'AWS_REQUEST_FAILED', area: 'ingest', meaning: 'An AWS call failed (its error name is kept).' },

  // Pricing.
  {
    code: 'PRICES_FILE_MISSING',
    area: 'pricing',
    meaning: 'The prices file named by --prices or the environment does not exist.',
  },
  { code: 'PRICES_FILE_INVALID', area: 'pricing', meaning: 'The prices file is not valid.' },
  {
    code: 'PRICE_BOOK_CORRUPT',
    area: 'pricing',
    meaning: 'The price book is not valid; update it again or delete it.',
  },
  { code: 'PRICE_SOURCE_MISSING', area: 'pricing', meaning: 'prices update --from FILE cannot read the file.' },
  {
    code: 'PRICE_SOURCE_INVALID',
    area: 'pricing',
    meaning: 'prices update --from FILE is not a LiteLLM or AWS price file.',
  },
  {
    code: 'PRICE_SOURCE_UNSUPPORTED',
    area: 'pricing',
    meaning: 'prices update --from FILE is an AWS offer file of another service than Amazon Bedrock.',
  },

  // Alarms.
  { code: 'ALARM_INVALID', area: 'alarms', meaning: 'An alarm definition that does not validate.' },
  { code: 'ALARM_NOT_FOUND', area: 'alarms', meaning: 'No alarm of that name.' },
  { code: 'ALARM_NO_TARGETS', area: 'alarms', meaning: 'A notification test on an alarm without targets.' },
  { code: 'ALARM_QUERY_FAILED', area: 'alarms', meaning: "An alarm's query failed while evaluating." },
  { code: 'NOTIFY_FAILED', area: 'alarms', meaning: 'A notification could not be delivered.' },
  { code: 'NOTIFY_NOT_CONFIGURED', area: 'alarms', meaning: 'E-mail without an SMTP server configured.' },

  // Reports.
  { code: 'BILL_NOT_FOUND', area: 'reports', meaning: 'reconcile: the bill file does not exist.' },
  { code: 'BILL_UNREADABLE', area: 'reports', meaning: 'reconcile: the bill file cannot be read.' },
  { code: 'BILL_UNRECOGNISED', area: 'reports', meaning: 'reconcile: neither a Cost Explorer export nor CUR 2.0.' },
  { code: 'BILL_EMPTY', area: 'reports', meaning: 'reconcile: the bill has no Bedrock lines in the period.' },

  // The console's saved things.
  { code: 'INVALID_NAME', area: 'workspace', meaning: 'A saved query or dashboard without a usable name.' },
  { code: 'INVALID_QUERY', area: 'workspace', meaning: 'A saved query without a query string.' },
  { code: 'INVALID_DASHBOARD', area: 'workspace', meaning: 'A dashboard definition that does not validate.' },

  { code: 'REQUEST_METADATA_INVALID', area: 'tagging', meaning: 'requestMetadata that breaks the tagging rules.' },

  // The CloudWatch Logs API.
  {
    code: 'FILTER_PATTERN_INVALID',
    area: 'CloudWatch API',
    meaning: 'A filter pattern that does not parse or is too costly.',
  },
  { code: 'FILTER_WORK_LIMIT', area: 'CloudWatch API', meaning: 'Matching would examine more than the request may.' },
  { code: 'FILTER_DEADLINE', area: 'CloudWatch API', meaning: "Matching ran past the request's deadline." },
  {
    code: 'FILTER_MATCH_FAILED',
    area: 'CloudWatch API',
    meaning: 'The matching thread stopped (shutdown or crash); retryable.',
  },

  // Trino and Athena.
  { code: 'TRINO_UNREACHABLE', area: 'Trino and Athena', meaning: 'The Trino URL does not answer.' },
  {
    code: 'ARCHIVE_EMPTY',
    area: 'Trino and Athena',
    meaning: '`trino setup --archive` / `athena ddl --archive` on a folder with no `events/day=…`.',
  },
  {
    code: 'ATHENA_NO_OUTPUT_LOCATION',
    area: 'Trino and Athena',
    meaning: 'Neither `--output-location` nor the workgroup gives a result location.',
  },
  {
    code: 'ATHENA_QUERY_FAILED',
    area: 'Trino and Athena',
    meaning: 'Athena refused or failed the query; its reason is in the message.',
  },
  {
    code: 'ATHENA_TABLE_NOT_FOUND',
    area: 'Trino and Athena',
    meaning: 'The table or database does not exist; the message gives the `athena ddl` command.',
  },
  {
    code: 'ATHENA_TIMEOUT',
    area: 'Trino and Athena',
    meaning: 'The query passed its deadline (`--timeout`); StopQueryExecution was sent.',
  },
  {
    code: 'ATHENA_UNREACHABLE',
    area: 'Trino and Athena',
    meaning: 'The endpoint refuses, does not resolve or does not answer.',
  },
  {
    code: 'ATHENA_WORKGROUP_NOT_FOUND',
    area: 'Trino and Athena',
    meaning: 'Athena does not know `--workgroup` (the message names `aws athena list-work-groups`).',
  },
  {
    code: 'CLOUDWATCH_LIMIT',
    area: 'Trino and Athena',
    meaning: "CloudWatch's `LimitExceededException` (too many concurrent queries).",
  },
  {
    code: 'CLOUDWATCH_LOG_GROUP_NOT_FOUND',
    area: 'Trino and Athena',
    meaning: 'CloudWatch Logs has no such log group.',
  },
  {
    code: 'CLOUDWATCH_QUERY_INVALID',
    area: 'Trino and Athena',
    meaning: "CloudWatch's `MalformedQueryException` (our front end accepted the text; theirs did not).",
  },
  {
    code: 'CLOUDWATCH_TIMEOUT',
    area: 'Trino and Athena',
    meaning: 'The CloudWatch query passed --timeout or ended Timeout; StopQuery was sent.',
  },
  {
    code: 'CLOUDWATCH_TOO_MANY_LOG_GROUPS',
    area: 'Trino and Athena',
    meaning: 'More than the 50 log groups StartQuery takes.',
  },
  {
    code: 'CLOUDWATCH_UNREACHABLE',
    area: 'Trino and Athena',
    meaning: 'The CloudWatch Logs endpoint refuses, does not resolve or does not answer.',
  },
  {
    code: 'EXPORT_FAILED',
    area: 'Trino and Athena',
    meaning: "`export` failed writing Parquet (DuckDB's reason, first line).",
  },
  {
    code: 'INVALID_ENGINE',
    area: 'Trino and Athena',
    meaning: 'HTTP 400: a request names an engine the server has no connection for.',
  },
  { code: 'TRINO_HTTP_ERROR', area: 'Trino and Athena', meaning: 'An HTTP status Trino does not send.' },
  { code: 'TRINO_PROTOCOL', area: 'Trino and Athena', meaning: "A 200 answer that is not Trino's JSON." },
  { code: 'TRINO_QUERY_FAILED', area: 'Trino and Athena', meaning: 'Trino rejected or failed the query.' },
  { code: 'TRINO_TABLE_NOT_FOUND', area: 'Trino and Athena', meaning: 'The table, schema or catalog does not exist.' },
  { code: 'TRINO_TIMEOUT', area: 'Trino and Athena', meaning: 'The query passed its deadline; it was cancelled.' },
  { code: 'TRINO_TABLE_CONFLICT', area: 'Trino and Athena', meaning: 'trino setup onto an existing managed table.' },
  { code: 'LAYOUT_EMPTY', area: 'Trino and Athena', meaning: 'No delivery-layout folders at --location.' },
  { code: 'TRINO_JAVA_MISSING', area: 'Trino and Athena', meaning: 'trino start needs Java 24+.' },
  { code: 'TRINO_MAVEN_MISSING', area: 'Trino and Athena', meaning: 'trino start needs Maven once.' },
  { code: 'TRINO_INSTALL_FAILED', area: 'Trino and Athena', meaning: 'Fetching or unpacking Trino failed.' },
  { code: 'TRINO_START_FAILED', area: 'Trino and Athena', meaning: 'The local Trino did not come up.' },
  { code: 'TRINO_BUSY', area: 'Trino and Athena', meaning: 'Another process holds the start/stop lock.' },
  { code: 'TRINO_IN_USE', area: 'Trino and Athena', meaning: 'trino stop while test runs hold the local Trino.' },
];
