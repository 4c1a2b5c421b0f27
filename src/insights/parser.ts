import type {
  Command,
  DurationLit,
  Expr,
  FieldRef,
  In,
  Like,
  ListLit,
  Name,
  ParseCmd,
  ParseMode,
  Projection,
  Query,
  RegexLit,
  SortKey,
  SourceClause,
  Span,
  StringLit,
  Subquery,
} from './ast.js';
import { diagnostic, lineColumn, type Diagnostic, type Severity } from './diagnostics.js';
import { closestCommand, commandKeyword } from './keywords.js';
import { durationUnit, tokenize, type Token } from './lexer.js';

/**
 * The Logs Insights parser: tokens -> AST (src/insights/ast.ts). Recursive descent, one function
 * per grammar rule. A syntax error inside a command is reported in CloudWatch's words
 * (`unexpected symbol found <token> at line L and position P`) with a stable code and a hint,
 * and parsing resumes at the next top-level `|` so that one run reports every broken command.
 * When any error is reported, `query` is absent: the analyzer only ever sees a whole query.
 */

export interface ParseResult {
  /** Present when the text parsed (possibly with recoverable diagnostics). */
  query?: Query;
  diagnostics: Diagnostic[];
}

/** Parse a Logs Insights query. Never throws: problems are diagnostics. */
export function parseQuery(text: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  try {
    const parser = new Parser(text, tokenize(text), diagnostics);
    const query = parser.parseTop();
    const failed = diagnostics.some((d) => d.severity === 'error');
    if (query === undefined && !failed) {
      // Every failure path reports an error; this guards the invariant "no query ⇔ an error".
      diagnostics.push(
        diagnostic(text, 'PARSE_INTERNAL', 'error', 'the query could not be parsed; please report this query', {
          start: 0,
          end: 0,
        }),
      );
    }
    return failed || query === undefined ? { diagnostics } : { query, diagnostics };
  } catch (e) {
    // A bug in the parser must still come back as a diagnostic, never as a thrown error.
    diagnostics.push(
      diagnostic(
        text,
        'PARSE_INTERNAL',
        'error',
        `internal parser error (${e instanceof Error ? e.message : String(e)}); please report this query`,
        { start: 0, end: 0 },
      ),
    );
    return { diagnostics };
  }
}

/** Thrown inside the parser only; caught at the command level and never escapes parseQuery. */
class ParseFailure {}

const MAX_LIMIT = 100_000;
const MAX_DEPTH = 200;
/** Stop reporting (and recovering) after this many errors; warnings are capped alike. */
const MAX_ERRORS = 25;
const RESERVED_OPERAND_WORDS = new Set(['and', 'or', 'like', 'in', 'as', 'by']);
const COMPARISON_OPS = new Set(['=', '!=', '<', '<=', '>', '>=']);

const LEX_HINTS: Record<string, string> = {
  LEX_UNTERMINATED_STRING: 'the string is not closed: add the matching quote',
  LEX_UNTERMINATED_REGEX: 'the regex is not closed on this line: end it with / (write \\/ for a slash inside it)',
  LEX_UNTERMINATED_BACKTICK: 'the backtick name is not closed on this line: add the closing `',
  LEX_UNEXPECTED_CHAR:
    'this character is not part of the query language: put special characters in a string, or field names in backticks',
};

type Terminator = 'eof' | 'rparen';

class Parser {
  private pos = 0;
  private depth = 0;
  /** Errors and warnings reported so far; each kind is capped at MAX_ERRORS. */
  private errors = 0;
  private warnings = 0;
  private readonly reported = new Set<string>();

  constructor(
    private readonly text: string,
    private tokens: Token[],
    private readonly diags: Diagnostic[],
  ) {
    this.tokens = this.joinSpacedAt(tokens);
    for (const t of this.tokens) {
      if (this.errors >= MAX_ERRORS) break;
      if (t.kind === 'error') this.report(t, t.value, LEX_HINTS[t.value]);
    }
  }

  // ------------------------------------------------------------------ entry points

  parseTop(): Query | undefined {
    if (this.peek().kind === 'eof') {
      this.report(
        this.peek(),
        'PARSE_EMPTY_QUERY',
        'the query is empty: write at least one command, such as fields @timestamp, @message',
      );
      return undefined;
    }
    try {
      return this.parseQueryBody('eof', true);
    } catch (e) {
      if (e instanceof ParseFailure) return undefined;
      throw e;
    }
  }

  /** `[SOURCE …] command (| command)*` up to the terminator (not consumed). */
  private parseQueryBody(terminator: Terminator, recover: boolean): Query {
    const first = this.peek();
    let source: SourceClause | undefined;
    const commands: Command[] = [];
    let expectCommand = true;
    if (this.isWord(first, 'source')) {
      source = this.attempt(recover, terminator, () => this.parseSource(terminator));
      expectCommand = false;
    }
    for (;;) {
      const t = this.peek();
      if (this.atTerminator(terminator)) {
        if (expectCommand) {
          this.attempt(recover, terminator, () =>
            this.fail(
              t,
              'PARSE_UNEXPECTED_TOKEN',
              commands.length === 0 && source === undefined
                ? 'write at least one command, such as fields @timestamp, @message'
                : 'a | must be followed by a command',
            ),
          );
        }
        break;
      }
      if (!expectCommand) {
        if (t.kind !== 'pipe') {
          this.attempt(recover, terminator, () =>
            this.fail(t, 'PARSE_UNEXPECTED_TOKEN', 'each command ends here: put | between commands'),
          );
          continue;
        }
        this.next();
        expectCommand = true;
        continue;
      }
      const c = this.attempt(recover, terminator, () => this.parseCommand(terminator));
      if (c !== undefined) commands.push(c);
      expectCommand = false;
    }
    const end = commands.length > 0 ? commands[commands.length - 1].span.end : (source?.span.end ?? first.start);
    return { kind: 'query', ...(source ? { source } : {}), commands, span: { start: first.start, end } };
  }

  /** Run one command's parse; on failure, either rethrow or skip to the next top-level pipe. */
  private attempt<T>(recover: boolean, terminator: Terminator, f: () => T): T | undefined {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof ParseFailure) || !recover) throw e;
      // Past a few dozen errors more reports only cost time (each one locates its line).
      if (this.errors >= MAX_ERRORS) throw e;
      this.skipSegment(terminator);
      return undefined;
    }
  }

  private skipSegment(terminator: Terminator): void {
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') return;
      if (depth === 0 && (t.kind === 'pipe' || (terminator === 'rparen' && t.kind === 'rparen'))) return;
      if (t.kind === 'lparen' || t.kind === 'lbracket') depth++;
      if ((t.kind === 'rparen' || t.kind === 'rbracket') && depth > 0) depth--;
      this.next();
    }
  }

  // ------------------------------------------------------------------ commands

  private parseCommand(terminator: Terminator): Command {
    const t = this.peek();
    if (t.kind === 'dollar') {
      this.fail(
        t,
        'PARSE_SAVED_QUERY_NOT_EXPANDED',
        'saved-query invocations ($Name(...)) must be expanded first: run the query through expandSavedQueries',
      );
    }
    if (t.kind !== 'name') {
      this.fail(
        t,
        'PARSE_EXPECTED_COMMAND',
        'a command (fields, filter, stats, sort, limit, parse, display, dedup, ...) is expected here',
      );
    }
    const word = t.value.toLowerCase();
    if (word === 'source') {
      this.fail(t, 'PARSE_SOURCE_NOT_FIRST', 'SOURCE must come first, before the first command');
    }
    const kw = commandKeyword(word);
    if (kw === undefined) {
      if (this.peek(1).kind === 'lparen') {
        this.fail(
          t,
          'PARSE_UNKNOWN_COMMAND',
          `\`${t.value}(…)\` is a function, not a command: use it inside a command, e.g. stats ${t.value}(…) or fields ${t.value}(…) as x`,
        );
      }
      const near = closestCommand(word);
      this.fail(
        t,
        'PARSE_UNKNOWN_COMMAND',
        near !== undefined
          ? `\`${t.value}\` is not a command; did you mean \`${near}\`?`
          : `\`${t.value}\` is not a command`,
      );
    }
    if (kw.tier === 3 || word === 'tail') return this.parseUnsupported(terminator);
    this.next();
    switch (kw.lname) {
      case 'fields':
      case 'display': {
        const items = this.parseProjections();
        return { kind: kw.lname, items, span: this.spanFrom(t) };
      }
      case 'filter':
      case 'where': {
        const condition = this.parseExpr();
        return { kind: 'filter', keyword: kw.lname, condition, span: this.spanFrom(t) };
      }
      case 'filterindex': {
        const condition = this.parseExpr();
        return { kind: 'filterIndex', condition, span: this.spanFrom(t) };
      }
      case 'stats':
        return this.parseStats(t);
      case 'sort':
        return this.parseSort(t);
      case 'limit':
      case 'head':
        return this.parseLimit(t, kw.lname === 'limit');
      case 'parse':
        return this.parseParse(t);
      case 'dedup': {
        const fields = this.parseNameList('dedup fields must be field names');
        return { kind: 'dedup', fields, span: this.spanFrom(t) };
      }
      case 'unnest': {
        const source = this.parseExpr();
        this.expectWord('into', 'write unnest <list> into <name>');
        const into = this.parseName('write unnest <list> into <name>');
        return { kind: 'unnest', source, into, span: this.spanFrom(t) };
      }
      case 'expand': {
        const field = this.parseName('write expand <field>');
        return { kind: 'expand', field, span: this.spanFrom(t) };
      }
      case 'fillmissing':
        return this.parseFillMissing(t, terminator);
      case 'pattern': {
        const source = this.parseExpr();
        return { kind: 'pattern', source, span: this.spanFrom(t) };
      }
      case 'anomaly':
        return { kind: 'anomaly', span: this.spanFrom(t) };
      case 'diff':
        return this.parseDiff(t, terminator);
      default:
        this.fail(t, 'PARSE_UNKNOWN_COMMAND', `\`${t.value}\` is not a command`);
    }
  }

  private parseUnsupported(terminator: Terminator): Command {
    const t = this.next();
    let depth = 0;
    let end = t.end;
    for (;;) {
      const u = this.peek();
      if (u.kind === 'eof') break;
      if (depth === 0 && (u.kind === 'pipe' || (terminator === 'rparen' && u.kind === 'rparen'))) break;
      if (u.kind === 'lparen' || u.kind === 'lbracket') depth++;
      if ((u.kind === 'rparen' || u.kind === 'rbracket') && depth > 0) depth--;
      end = u.end;
      this.next();
    }
    return {
      kind: 'unsupported',
      name: t.value,
      text: this.text.slice(t.start, end).trim(),
      span: { start: t.start, end },
    };
  }

  private parseStats(t: Token): Command {
    const aggregates = this.parseProjections();
    let groupBy: Projection[] = [];
    if (this.isWord(this.peek(), 'by')) {
      this.next();
      groupBy = this.parseProjections();
    }
    let offset: DurationLit | undefined;
    if (this.isWord(this.peek(), 'offset')) {
      // `stats … by bin(5m) offset 1h` (the AWS time-series functions page).
      this.next();
      const d = this.peek();
      const e = this.parseExpr();
      if (e.kind !== 'duration') {
        this.fail(
          d,
          'PARSE_STATS_OFFSET',
          'write offset with a period after it, like stats count(*) by bin(5m) offset 1h',
        );
      }
      offset = e;
    }
    return { kind: 'stats', aggregates, groupBy, ...(offset ? { offset } : {}), span: this.spanFrom(t) };
  }

  private parseSort(t: Token): Command {
    const SORT_HINT =
      'sort keys must be field or alias names: alias the expression in stats or fields (… as n) and sort by the alias';
    const first = this.peek();
    if (this.isWord(first, 'by') && this.isNameToken(this.peek(1))) this.next();
    const keys: SortKey[] = [];
    for (;;) {
      const k = this.peek();
      if (!this.isNameToken(k) || (k.kind === 'name' && RESERVED_OPERAND_WORDS.has(k.value.toLowerCase()))) {
        this.fail(k, 'PARSE_SORT_KEY_NOT_NAME', SORT_HINT);
      }
      const field = this.parseName(SORT_HINT);
      const after = this.peek();
      if (after.kind === 'lparen' || after.kind === 'lbracket' || after.kind === 'dot' || after.kind === 'op') {
        this.fail(after, 'PARSE_SORT_KEY_NOT_NAME', SORT_HINT);
      }
      let direction: 'asc' | 'desc' | undefined;
      if (this.isWord(after, 'asc') || this.isWord(after, 'desc')) {
        direction = after.value.toLowerCase() as 'asc' | 'desc';
        this.next();
      }
      keys.push({ field, ...(direction ? { direction } : {}), span: { start: k.start, end: this.prevEnd() } });
      if (this.peek().kind !== 'comma') break;
      this.next();
    }
    return { kind: 'sort', keys, span: this.spanFrom(t) };
  }

  private parseLimit(t: Token, allowAny: boolean): Command {
    let any = false;
    if (allowAny && this.isWord(this.peek(), 'any') && this.peek(1).kind === 'number') {
      any = true;
      this.next();
    }
    const n = this.peek();
    const hint = `write ${t.value.toLowerCase()} N with a whole number N from 1 to 100,000`;
    if (n.kind !== 'number') this.fail(n, 'PARSE_UNEXPECTED_TOKEN', hint);
    this.next();
    const count = n.num ?? NaN;
    if (!Number.isInteger(count) || count < 1 || count > MAX_LIMIT) {
      this.report(
        n,
        'PARSE_LIMIT_RANGE',
        undefined,
        `the limit must be a whole number from 1 to 100,000, not ${n.text}`,
      );
    }
    return { kind: 'limit', count, any, span: this.spanFrom(t) };
  }

  private parseParse(t: Token): ParseCmd {
    const PARSE_HINT =
      'write parse [field] "glob with *" as a, b | parse [field] /(?<name>regex)/ | parse [field] logfmt as m | parse [field] csv as a, b';
    let source: FieldRef | undefined;
    const a = this.peek();
    const b = this.peek(1);
    const modeWord = (x: Token): boolean =>
      x.kind === 'name' && ['logfmt', 'csv', 'xml'].includes(x.value.toLowerCase());
    if (this.isNameToken(a) && (b.kind === 'string' || b.kind === 'regex' || modeWord(b))) {
      this.next();
      source = { kind: 'field', name: a.value, quoted: a.kind === 'quotedName', span: this.tokSpan(a) };
    }
    const p = this.peek();
    let mode: ParseMode;
    let pattern: StringLit | RegexLit | undefined;
    let aliases: Name[] = [];
    let multi = false;
    const takeMulti = (): void => {
      if (this.isWord(this.peek(), 'multi')) {
        multi = true;
        this.next();
      }
    };
    if (p.kind === 'string') {
      this.next();
      mode = 'glob';
      pattern = { kind: 'string', value: p.value, span: this.tokSpan(p) };
      takeMulti();
      this.expectWord('as', 'a glob parse names its captures: parse field "a=*, b=*" as a, b');
      aliases = this.parseNameList('write the names of the * captures after as');
      takeMulti();
      const stars = [...p.value].filter((ch) => ch === '*').length;
      if (stars !== aliases.length) {
        this.reportSpan(
          { start: p.start, end: this.prevEnd() },
          'PARSE_GLOB_ALIAS_COUNT',
          `the glob pattern has ${stars} * but ${aliases.length} name${aliases.length === 1 ? '' : 's'} follow as: give one name per *`,
        );
      }
    } else if (p.kind === 'regex') {
      this.next();
      mode = 'regex';
      pattern = { kind: 'regex', pattern: p.value, span: this.tokSpan(p) };
      takeMulti();
      if (this.isWord(this.peek(), 'as')) {
        // The `as` form appears on one AWS page; named groups are the documented way (spec §3.8).
        this.next();
        aliases = this.parseNameList('write the names after as');
        takeMulti();
      } else {
        aliases = namedGroups(p);
        if (aliases.length === 0) {
          this.reportSpan(
            this.tokSpan(p),
            'PARSE_REGEX_NO_GROUPS',
            'a regex parse creates one field per named group: write (?<name>…) around each value to extract',
          );
        }
      }
    } else if (modeWord(p)) {
      const m = p.value.toLowerCase();
      if (m === 'xml') {
        this.fail(p, 'PARSE_MODE_UNSUPPORTED', 'parse … XML is not supported yet: use a /regex/ with named groups');
      }
      this.next();
      mode = m as ParseMode;
      takeMulti();
      this.expectWord(
        'as',
        m === 'logfmt' ? 'write parse [field] logfmt as name' : 'write parse [field] csv as a, b, c',
      );
      aliases = this.parseNameList('write the names after as');
      takeMulti();
    } else {
      this.fail(p, 'PARSE_UNEXPECTED_TOKEN', PARSE_HINT);
    }
    return {
      kind: 'parse',
      ...(source ? { source } : {}),
      mode,
      ...(pattern ? { pattern } : {}),
      aliases,
      multi,
      span: this.spanFrom(t),
    };
  }

  private parseDiff(t: Token, terminator: Terminator): Command {
    const DIFF_PERIODS = {
      previousday: 'previousDay',
      previousweek: 'previousWeek',
      previousmonth: 'previousMonth',
    } as const;
    const p = this.peek();
    if (this.atTerminator(terminator) || p.kind === 'pipe') return { kind: 'diff', span: this.spanFrom(t) };
    const period = p.kind === 'name' ? DIFF_PERIODS[p.value.toLowerCase() as keyof typeof DIFF_PERIODS] : undefined;
    if (!period)
      this.fail(p, 'PARSE_UNEXPECTED_TOKEN', 'write diff, diff previousDay, diff previousWeek or diff previousMonth');
    this.next();
    return { kind: 'diff', period, span: this.spanFrom(t) };
  }

  private parseFillMissing(t: Token, terminator: Terminator): Command {
    const fills: { value: Expr; field: Name }[] = [];
    const HINT = 'write fillmissing [with value for field, ...]';
    if (!this.atTerminator(terminator) && this.peek().kind !== 'pipe') {
      for (;;) {
        if (this.isWord(this.peek(), 'with')) this.next();
        const value = this.parseExpr();
        this.expectWord('for', HINT);
        const field = this.parseName(HINT);
        fills.push({ value, field });
        if (this.peek().kind !== 'comma') break;
        this.next();
      }
    }
    return { kind: 'fillmissing', fills, span: this.spanFrom(t) };
  }

  // ------------------------------------------------------------------ SOURCE

  private parseSource(terminator: Terminator): SourceClause {
    const t = this.next();
    const clause: SourceClause = {
      kind: 'source',
      logGroupNames: [],
      namePrefixes: [],
      accountIdentifiers: [],
      classes: [],
      allLogGroups: false,
      span: this.tokSpan(t),
    };
    const HINT = "write SOURCE logGroups(namePrefix: ['…']) or SOURCE '/log/group' [start=-1d] [end=now]";
    let any = false;
    while (this.peek().kind !== 'pipe' && !this.atTerminator(terminator)) {
      const u = this.peek();
      if (u.kind === 'comma' && any) {
        this.next();
        continue;
      }
      if (u.kind === 'name' && this.peek(1).kind === 'lparen' && u.value.toLowerCase() === 'loggroups') {
        this.next();
        this.next();
        let params = 0;
        while (this.peek().kind !== 'rparen') {
          const key = this.peek();
          const lkey = key.kind === 'name' ? key.value.toLowerCase() : '';
          const target =
            lkey === 'nameprefix'
              ? clause.namePrefixes
              : lkey === 'class'
                ? clause.classes
                : lkey === 'accountidentifiers'
                  ? clause.accountIdentifiers
                  : undefined;
          if (target === undefined) {
            this.fail(
              key,
              'PARSE_SOURCE_PARAMETER',
              'logGroups() takes namePrefix: [...], class: [...] and accountIdentifiers: [...]',
            );
          }
          this.next();
          this.expectKind('colon', `write ${key.value}: ['…']`);
          this.expectKind('lbracket', `write ${key.value}: ['…']`);
          while (this.peek().kind !== 'rbracket') {
            const v = this.peek();
            if (v.kind !== 'string' && v.kind !== 'name' && v.kind !== 'number') {
              this.fail(v, 'PARSE_UNEXPECTED_TOKEN', `the values of ${key.value} are quoted strings`);
            }
            target.push(v.value);
            this.next();
            if (this.peek().kind === 'comma') this.next();
            else if (this.peek().kind !== 'rbracket')
              this.fail(this.peek(), 'PARSE_UNEXPECTED_TOKEN', 'separate values with commas and close the list with ]');
          }
          this.next();
          params++;
          if (this.peek().kind === 'comma') this.next();
          else if (this.peek().kind !== 'rparen')
            this.fail(this.peek(), 'PARSE_UNEXPECTED_TOKEN', 'separate logGroups() parameters with commas');
        }
        this.next();
        if (params === 0) clause.allLogGroups = true;
        any = true;
        continue;
      }
      if (u.kind === 'name' && this.peek(1).kind === 'lparen' && u.value.toLowerCase() === 'datasource') {
        this.fail(
          u,
          'PARSE_SOURCE_UNSUPPORTED',
          'SOURCE dataSource(...) is not supported yet: select log groups with logGroups(...) or a name',
        );
      }
      if (
        u.kind === 'name' &&
        this.peek(1).kind === 'op' &&
        this.peek(1).value === '=' &&
        (u.value.toLowerCase() === 'start' || u.value.toLowerCase() === 'end')
      ) {
        this.next();
        this.next();
        const v = this.parseSourceTime();
        if (u.value.toLowerCase() === 'start') clause.start = v;
        else clause.end = v;
        any = true;
        continue;
      }
      if (u.kind === 'string' || u.kind === 'name' || u.kind === 'quotedName') {
        this.next();
        clause.logGroupNames.push(u.value);
        any = true;
        continue;
      }
      this.fail(u, 'PARSE_UNEXPECTED_TOKEN', HINT);
    }
    if (!any) this.fail(this.peek(), 'PARSE_UNEXPECTED_TOKEN', HINT);
    clause.span = this.spanFrom(t);
    return clause;
  }

  private parseSourceTime(): string {
    const first = this.peek();
    let sign = '';
    if (first.kind === 'op' && (first.value === '-' || first.value === '+')) {
      sign = first.value;
      this.next();
    }
    const v = this.peek();
    if (v.kind === 'string') {
      this.next();
      return sign + v.value;
    }
    if (v.kind === 'duration' || v.kind === 'number' || v.kind === 'name') {
      this.next();
      return sign + v.text;
    }
    this.fail(v, 'PARSE_UNEXPECTED_TOKEN', 'write start=-1d, end=now or a quoted time');
  }

  // ------------------------------------------------------------------ projections and names

  private parseProjections(): Projection[] {
    const items: Projection[] = [];
    for (;;) {
      const expr = this.parseExpr();
      let alias: Name | undefined;
      if (this.isWord(this.peek(), 'as')) {
        this.next();
        alias = this.parseName('write a name after as');
      }
      const text = this.text.slice(expr.span.start, expr.span.end).trim();
      items.push({
        expr,
        ...(alias ? { alias } : {}),
        text,
        span: { start: expr.span.start, end: alias ? alias.span.end : expr.span.end },
      });
      if (this.peek().kind !== 'comma') break;
      this.next();
    }
    return items;
  }

  private parseNameList(hint: string): Name[] {
    const names: Name[] = [this.parseName(hint)];
    while (this.peek().kind === 'comma') {
      this.next();
      names.push(this.parseName(hint));
    }
    const after = this.peek();
    if (after.kind === 'lparen' || after.kind === 'lbracket' || after.kind === 'dot' || after.kind === 'op') {
      this.fail(after, 'PARSE_UNEXPECTED_TOKEN', hint);
    }
    return names;
  }

  private parseName(hint: string): Name {
    const t = this.peek();
    if (!this.isNameToken(t)) this.fail(t, 'PARSE_UNEXPECTED_TOKEN', hint);
    this.next();
    return { name: t.value, span: this.tokSpan(t) };
  }

  // ------------------------------------------------------------------ expressions (spec §4.1)

  parseExpr(): Expr {
    return this.parseOr();
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isWord(this.peek(), 'or')) {
      this.next();
      const right = this.parseAnd();
      left = { kind: 'binary', op: 'or', left, right, span: join(left.span, right.span) };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseComparison();
    while (this.isWord(this.peek(), 'and')) {
      this.next();
      const right = this.parseComparison();
      left = { kind: 'binary', op: 'and', left, right, span: join(left.span, right.span) };
    }
    return left;
  }

  private parseComparison(): Expr {
    let left = this.parseAdditive();
    for (;;) {
      const t = this.peek();
      let negated = false;
      let word = t.kind === 'name' ? t.value.toLowerCase() : '';
      if (word === 'not') {
        const n = this.peek(1);
        const nw = n.kind === 'name' ? n.value.toLowerCase() : '';
        if (nw !== 'like' && nw !== 'in') break;
        negated = true;
        word = nw;
      }
      const isCmp = t.kind === 'op' && COMPARISON_OPS.has(t.value);
      const isMatch = t.kind === 'op' && t.value === '=~';
      if (!isCmp && !isMatch && word !== 'like' && word !== 'in') break;
      if (left.kind === 'unary' && left.op === 'not' && this.text[left.span.start] !== '(') {
        this.reportSpan(
          left.span,
          'PARSE_NOT_PRECEDENCE',
          `\`not\` applies to the operand before \`${t.value}\`, not to the whole comparison: write not (…) to negate the comparison`,
          'warning',
        );
      }
      this.next();
      if (negated) this.next();
      if (isCmp) {
        const right = this.parseAdditive();
        left = { kind: 'binary', op: t.value as '=', left, right, span: join(left.span, right.span) };
      } else if (isMatch || word === 'like') {
        const pattern = this.parseLikePattern(isMatch ? '=~' : 'like');
        const l: Like = { kind: 'like', negated, subject: left, pattern, span: join(left.span, pattern.span) };
        left = l;
      } else {
        const list = this.parseInTarget();
        const i: In = { kind: 'in', negated, subject: left, list, span: join(left.span, list.span) };
        left = i;
      }
    }
    return left;
  }

  private parseLikePattern(op: string): StringLit | RegexLit {
    const t = this.peek();
    if (t.kind === 'string') {
      this.next();
      return { kind: 'string', value: t.value, span: this.tokSpan(t) };
    }
    if (t.kind === 'regex') {
      this.next();
      return { kind: 'regex', pattern: t.value, span: this.tokSpan(t) };
    }
    this.fail(t, 'PARSE_LIKE_PATTERN', `${op} needs a quoted string or a /regex/ literal on its right`);
  }

  private parseInTarget(): ListLit | Subquery {
    const t = this.peek();
    if (t.kind === 'lbracket') return this.parseList();
    if (t.kind === 'lparen') {
      const first = this.peek(1);
      if (first.kind !== 'name') {
        this.fail(
          first,
          'PARSE_IN_TARGET',
          'lists use square brackets, in [a, b]; parentheses after in hold a subquery ( SOURCE … | … )',
        );
      }
      this.next();
      const query = this.parseQueryBody('rparen', false);
      const close = this.expectKind('rparen', 'close the subquery with )');
      return { kind: 'subquery', query, span: { start: t.start, end: close.end } };
    }
    this.fail(t, 'PARSE_IN_TARGET', 'in needs a list [a, b, …] or a subquery ( SOURCE … | … )');
  }

  private parseList(): ListLit {
    const open = this.next();
    const items: Expr[] = [];
    while (this.peek().kind !== 'rbracket') {
      items.push(this.parseExpr());
      if (this.peek().kind === 'comma') {
        this.next();
        continue;
      }
      if (this.peek().kind !== 'rbracket')
        this.fail(this.peek(), 'PARSE_UNEXPECTED_TOKEN', 'separate list items with commas and close the list with ]');
    }
    const close = this.next();
    return { kind: 'list', items, span: { start: open.start, end: close.end } };
  }

  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || (t.value !== '+' && t.value !== '-')) return left;
      this.next();
      const right = this.parseMultiplicative();
      left = { kind: 'binary', op: t.value, left, right, span: join(left.span, right.span) };
    }
  }

  private parseMultiplicative(): Expr {
    let left = this.parsePower();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || (t.value !== '*' && t.value !== '/' && t.value !== '%')) return left;
      this.next();
      const right = this.parsePower();
      left = { kind: 'binary', op: t.value, left, right, span: join(left.span, right.span) };
    }
  }

  private parsePower(): Expr {
    const left = this.parseUnary();
    const t = this.peek();
    if (t.kind === 'op' && t.value === '^') {
      this.next();
      const right = this.parsePower(); // right-associative
      return { kind: 'binary', op: '^', left, right, span: join(left.span, right.span) };
    }
    return left;
  }

  private parseUnary(): Expr {
    // Every nesting level (parentheses, brackets, call arguments, prefix operators) passes here:
    // a bound keeps hostile input from exhausting the stack.
    if (++this.depth > MAX_DEPTH) {
      this.depth = 0;
      this.fail(
        this.peek(),
        'PARSE_TOO_DEEP',
        `expressions may nest at most ${MAX_DEPTH} levels deep: simplify the expression`,
      );
    }
    try {
      return this.parseUnaryInner();
    } finally {
      if (this.depth > 0) this.depth--;
    }
  }

  private parseUnaryInner(): Expr {
    const t = this.peek();
    if (t.kind === 'op' && t.value === '-') {
      this.next();
      const operand = this.parseUnary();
      return { kind: 'unary', op: '-', operand, span: { start: t.start, end: operand.span.end } };
    }
    if ((t.kind === 'op' && t.value === '!') || this.isWord(t, 'not')) {
      this.next();
      const operand = this.parseUnary();
      return { kind: 'unary', op: 'not', operand, span: { start: t.start, end: operand.span.end } };
    }
    return this.parsePostfix();
  }

  private parsePostfix(): Expr {
    let e = this.parsePrimary();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'lbracket' && !t.spaceBefore) {
        this.next();
        const k = this.peek();
        let key: string | number;
        if (k.kind === 'number' && Number.isInteger(k.num)) key = k.num as number;
        else if (k.kind === 'string') key = k.value;
        else this.fail(k, 'PARSE_UNEXPECTED_TOKEN', 'write [0] with a whole-number index or ["key"]');
        this.next();
        const close = this.expectKind('rbracket', 'close the index with ]');
        e = { kind: 'access', object: e, key, span: { start: e.span.start, end: close.end } };
        continue;
      }
      if (t.kind === 'dot') {
        this.next();
        const k = this.peek();
        if (k.kind === 'name') {
          this.next();
          // `.a.b` after a call: one access per segment.
          let offset = k.start;
          for (const seg of k.value.split('.')) {
            const key: string | number = /^\d+$/.test(seg) ? Number(seg) : seg;
            offset += seg.length;
            e = { kind: 'access', object: e, key, span: { start: e.span.start, end: offset } };
            offset += 1;
          }
          continue;
        }
        if (k.kind === 'quotedName') {
          this.next();
          e = { kind: 'access', object: e, key: k.value, span: { start: e.span.start, end: k.end } };
          continue;
        }
        if (k.kind === 'number' && /^\d+$/.test(k.text)) {
          this.next();
          e = { kind: 'access', object: e, key: k.num as number, span: { start: e.span.start, end: k.end } };
          continue;
        }
        this.fail(k, 'PARSE_UNEXPECTED_TOKEN', 'write a key name after the dot');
      }
      return e;
    }
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'number': {
        this.next();
        const u = this.peek();
        // `2 hours`: a number followed by a unit word is a period.
        if (
          u.kind === 'name' &&
          durationUnit(u.value) !== undefined &&
          this.peek(1).kind !== 'lparen' &&
          !u.value.includes('.')
        ) {
          this.next();
          return {
            kind: 'duration',
            amount: t.num as number,
            unit: durationUnit(u.value)!, // checked just above
            text: this.text.slice(t.start, u.end),
            span: { start: t.start, end: u.end },
          };
        }
        return { kind: 'number', value: t.num as number, text: t.text, span: this.tokSpan(t) };
      }
      case 'duration':
        this.next();
        return { kind: 'duration', amount: t.num as number, unit: t.unit!, text: t.text, span: this.tokSpan(t) }; // the lexer sets unit on durations
      case 'string':
        this.next();
        return { kind: 'string', value: t.value, span: this.tokSpan(t) };
      case 'regex':
        this.next();
        return { kind: 'regex', pattern: t.value, span: this.tokSpan(t) };
      case 'quotedName':
        this.next();
        return { kind: 'field', name: t.value, quoted: true, span: this.tokSpan(t) };
      case 'lbracket':
        return this.parseList();
      case 'lparen': {
        this.next();
        const inner = this.parseExpr();
        const close = this.expectKind('rparen', 'close the parenthesis with )');
        // The parentheses belong to the written text of the operand (its column name).
        return { ...inner, span: { start: t.start, end: close.end } };
      }
      case 'name': {
        const lname = t.value.toLowerCase();
        const isCall = this.peek(1).kind === 'lparen';
        if (!isCall && RESERVED_OPERAND_WORDS.has(lname)) {
          this.fail(t, 'PARSE_UNEXPECTED_TOKEN', 'a field, value or function call is expected here');
        }
        if (isCall) return this.parseCall(t);
        this.next();
        if (lname === 'true' || lname === 'false')
          return { kind: 'boolean', value: lname === 'true', span: this.tokSpan(t) };
        return { kind: 'field', name: t.value, quoted: false, span: this.tokSpan(t) };
      }
      case 'op':
        if (t.value === '*') this.fail(t, 'PARSE_UNEXPECTED_TOKEN', '* is only allowed as the argument of count(*)');
        this.fail(t, 'PARSE_UNEXPECTED_TOKEN', 'a field, value or function call is expected here');
      // falls through: fail() never returns
      case 'dollar':
        this.fail(
          t,
          'PARSE_SAVED_QUERY_NOT_EXPANDED',
          'saved-query invocations ($Name(...)) must be expanded first: run the query through expandSavedQueries',
        );
      // falls through: fail() never returns
      default:
        this.fail(t, 'PARSE_UNEXPECTED_TOKEN', 'a field, value or function call is expected here');
    }
  }

  private parseCall(nameTok: Token): Expr {
    this.next();
    this.next(); // (
    const args: Expr[] = [];
    while (this.peek().kind !== 'rparen') {
      const a = this.peek();
      const after = this.peek(1);
      if (a.kind === 'op' && a.value === '*' && (after.kind === 'rparen' || after.kind === 'comma')) {
        this.next();
        args.push({ kind: 'star', span: this.tokSpan(a) });
      } else {
        args.push(this.parseExpr());
      }
      if (this.peek().kind === 'comma') {
        this.next();
        continue;
      }
      if (this.peek().kind !== 'rparen')
        this.fail(this.peek(), 'PARSE_UNEXPECTED_TOKEN', 'separate arguments with commas and close the call with )');
    }
    const close = this.next();
    return {
      kind: 'call',
      name: nameTok.value,
      lname: nameTok.value.toLowerCase(),
      args,
      span: { start: nameTok.start, end: close.end },
    };
  }

  // ------------------------------------------------------------------ token helpers

  private peek(k = 0): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  private prevEnd(): number {
    return this.pos > 0 ? this.tokens[this.pos - 1].end : 0;
  }

  private spanFrom(t: Token): Span {
    return { start: t.start, end: Math.max(t.end, this.prevEnd()) };
  }

  private tokSpan(t: Token): Span {
    return { start: t.start, end: t.end };
  }

  private isWord(t: Token, word: string): boolean {
    return t.kind === 'name' && t.value.toLowerCase() === word;
  }

  private isNameToken(t: Token): boolean {
    return t.kind === 'name' || t.kind === 'quotedName';
  }

  private atTerminator(terminator: Terminator): boolean {
    const k = this.peek().kind;
    return k === 'eof' || (terminator === 'rparen' && k === 'rparen');
  }

  private expectWord(word: string, hint: string): Token {
    const t = this.peek();
    if (!this.isWord(t, word)) this.fail(t, 'PARSE_UNEXPECTED_TOKEN', hint);
    return this.next();
  }

  private expectKind(kind: Token['kind'], hint: string): Token {
    const t = this.peek();
    if (t.kind !== kind) this.fail(t, 'PARSE_UNEXPECTED_TOKEN', hint);
    return this.next();
  }

  // ------------------------------------------------------------------ diagnostics

  /** Report a syntax error at a token and abandon the current command. */
  private fail(t: Token, code: string, hint?: string): never {
    // A lexical error token was reported up front; report() skips the duplicate.
    if (t.kind === 'error') this.report(t, t.value, LEX_HINTS[t.value]);
    else this.report(t, code, hint);
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- a control-flow signal the command loop catches, not an error: no stack wanted
    throw new ParseFailure();
  }

  /** CloudWatch's wording for a token, plus our hint; once per token and code. */
  private report(t: Token, code: string, hint?: string, override?: string): void {
    const key = `${t.start}:${code}`;
    if (this.reported.has(key) || this.errors >= MAX_ERRORS) return;
    this.errors++;
    this.reported.add(key);
    const { line, column } = lineColumn(this.text, t.start);
    const firstLine = t.text.split('\n')[0];
    const shown = firstLine.length > 40 || firstLine !== t.text ? `${firstLine.slice(0, 40)}…` : t.text;
    const base = override ?? `unexpected symbol found ${shown} at line ${line} and position ${column}`;
    this.diags.push(diagnostic(this.text, code, 'error', hint ? `${base}; ${hint}` : base, this.tokSpan(t)));
  }

  private reportSpan(span: Span, code: string, message: string, severity: Severity = 'error'): void {
    if (severity === 'error') {
      if (this.errors >= MAX_ERRORS) return;
      this.errors++;
    } else {
      if (this.warnings >= MAX_ERRORS) return;
      this.warnings++;
    }
    this.diags.push(diagnostic(this.text, code, severity, message, span));
  }

  /**
   * `@ message` (a space after `@`) ran on real CloudWatch (research O7). We read it as `@message`
   * and warn, rather than reject a query that CloudWatch accepted.
   */
  private joinSpacedAt(tokens: Token[]): Token[] {
    const out: Token[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      const n = tokens[i + 1];
      if (
        t.kind === 'name' &&
        t.value === '@' &&
        n !== undefined &&
        n.kind === 'name' &&
        n.spaceBefore &&
        !n.value.startsWith('@')
      ) {
        out.push({ ...t, value: '@' + n.value, text: this.text.slice(t.start, n.end), end: n.end });
        if (this.warnings < MAX_ERRORS) {
          this.warnings++;
          this.diags.push(
            diagnostic(
              this.text,
              'PARSE_SPACE_AFTER_AT',
              'warning',
              `\`${this.text.slice(t.start, n.end)}\` is read as the field @${n.value}: remove the space after @`,
              { start: t.start, end: n.end },
              '@' + n.value,
            ),
          );
        }
        i++;
        continue;
      }
      out.push(t);
    }
    return out;
  }
}

function join(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

/** The named groups of a regex token, in order, with spans on the group names in the query text. */
function namedGroups(t: Token): Name[] {
  const names: Name[] = [];
  const re = /\\.|\(\?<([@A-Za-z_][@A-Za-z0-9_.]*)>/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t.text)) !== null) {
    if (m[1] === undefined) continue; // an escaped character, e.g. \( is not a group
    const start = t.start + m.index + 3;
    names.push({ name: m[1], span: { start, end: start + m[1].length } });
  }
  return names;
}
