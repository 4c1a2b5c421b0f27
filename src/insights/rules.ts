import type { Command, Expr, Name, Query, Span } from './ast.js';
import { diagnostic, lineColumn, type Diagnostic } from './diagnostics.js';

/**
 * Composition rules: constraints on which commands may follow which, that the grammar alone does
 * not express (spec §3.18, §3.1, §3.5, §3.6, §3.7, §3.9). Each rule has a stable code, documented
 * in docs/diagnostics.md. The checks run on the parsed AST and never throw.
 *
 * Sort keys being names only (§3.6) is enforced by the grammar itself (PARSE_SORT_KEY_NOT_NAME),
 * because `sort bin(1d)` must fail at the `(` exactly as CloudWatch reports it.
 */

export interface CompositionOptions {
  /**
   * The most `stats` commands a query may hold. The docs say 2 and that the quota cannot change;
   * one 2026 report says 10 on the Standard class (spec §3.5), hence a parameter.
   */
  maxStats?: number;
}

export const DEFAULT_MAX_STATS = 2;

export function checkComposition(query: Query, text: string, options: CompositionOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  try {
    checkQuery(query, text, options.maxStats ?? DEFAULT_MAX_STATS, out);
  } catch (e) {
    // A malformed AST from a caller must not crash the check; report it instead.
    out.push(
      diagnostic(
        text,
        'RULE_INTERNAL',
        'error',
        `internal error while checking the query (${e instanceof Error ? e.message : String(e)}); please report this query`,
        { start: 0, end: 0 },
      ),
    );
  }
  return out;
}

function checkQuery(query: Query, text: string, maxStats: number, out: Diagnostic[]): void {
  const cmds = query.commands;

  // At most N stats.
  let statsSeen = 0;
  for (const c of cmds) {
    if (c.kind !== 'stats') continue;
    statsSeen++;
    if (statsSeen > maxStats) {
      out.push(
        diagnostic(
          text,
          'RULE_TOO_MANY_STATS',
          'error',
          `a query can hold at most ${maxStats} stats commands: fold this aggregation into an earlier stats, or run a second query`,
          keywordSpan(c, text),
        ),
      );
    }
  }

  // sort and limit come after the last stats.
  const lastStats = findLastIndex(cmds, (c) => c.kind === 'stats');
  for (let i = 0; i < lastStats; i++) {
    const c = cmds[i];
    if (c.kind === 'sort' || c.kind === 'limit') {
      const word = keywordText(c, text);
      out.push(
        diagnostic(
          text,
          c.kind === 'sort' ? 'RULE_SORT_BEFORE_STATS' : 'RULE_LIMIT_BEFORE_STATS',
          'error',
          `${cwUnexpected(text, keywordSpan(c, text), word)}; ${word} must come after the last stats command: move it to the end of the query`,
          keywordSpan(c, text),
        ),
      );
    }
  }

  // Only limit may follow dedup.
  const firstDedup = cmds.findIndex((c) => c.kind === 'dedup');
  if (firstDedup >= 0) {
    for (let i = firstDedup + 1; i < cmds.length; i++) {
      const c = cmds[i];
      if (c.kind === 'limit') continue;
      const word = keywordText(c, text);
      out.push(
        diagnostic(
          text,
          'RULE_AFTER_DEDUP',
          'error',
          `${cwUnexpected(text, keywordSpan(c, text), word)}; only limit may follow dedup: move ${word} before dedup`,
          keywordSpan(c, text),
        ),
      );
    }
  }

  // fillmissing adds the empty bins of a stats … by bin(): it needs a stats before it.
  const firstStats = cmds.findIndex((c) => c.kind === 'stats');
  cmds.forEach((c, i) => {
    if (c.kind === 'fillmissing' && (firstStats < 0 || i < firstStats)) {
      out.push(
        diagnostic(
          text,
          'RULE_FILLMISSING_PLACEMENT',
          'error',
          'fillmissing fills the empty bins of a stats … by bin(…): put it after such a stats command',
          keywordSpan(c, text),
        ),
      );
    }
  });

  // diff and anomaly work on the patterns of the pattern command just before them.
  cmds.forEach((c, i) => {
    if (c.kind !== 'diff' && c.kind !== 'anomaly') return;
    const prev = cmds[i - 1];
    const ok =
      prev?.kind === 'pattern' || (c.kind === 'anomaly' && prev?.kind === 'diff' && cmds[i - 2]?.kind === 'pattern');
    if (ok) return;
    out.push(
      diagnostic(
        text,
        c.kind === 'diff' ? 'RULE_DIFF_AFTER_PATTERN' : 'RULE_ANOMALY_AFTER_PATTERN',
        'error',
        c.kind === 'diff'
          ? 'Diff compilation Failed : Diff operation has to be used after Pattern; write … | pattern @message | diff'
          : 'anomaly finds anomalous patterns: write it right after pattern (… | pattern @message | anomaly)',
        keywordSpan(c, text),
      ),
    );
  });

  checkEphemeral(cmds, text, out);

  // Subqueries follow the same rules on their own.
  for (const c of cmds) {
    for (const e of commandExprs(c)) {
      walk(e, (x) => {
        if (x.kind === 'subquery') checkQuery(x.query, text, maxStats, out);
      });
    }
  }
}

/**
 * "Ephemeral field is already defined": parse and fields define ephemeral names; a later parse,
 * fields or stats that defines (or, for fields, re-lists) one of them is rejected (spec §3.1,
 * §3.5, §3.8). Re-listing system or discovered fields is fine; display never clashes.
 */
function checkEphemeral(cmds: Command[], text: string, out: Diagnostic[]): void {
  const defined = new Map<string, Span>();
  const clash = (n: Name): void => {
    const first = defined.get(n.name);
    if (first === undefined) return;
    out.push(
      diagnostic(
        text,
        'RULE_EPHEMERAL_REDEFINED',
        'error',
        `Ephemeral field is already defined: ${n.name} ([${n.span.start},${n.span.end}]); ` +
          `it was defined at line ${lineColumn(text, first.start).line}: choose another name`,
        n.span,
      ),
    );
  };
  for (const c of cmds) {
    switch (c.kind) {
      case 'parse':
        for (const a of c.aliases) {
          clash(a);
          if (!defined.has(a.name)) defined.set(a.name, a.span);
        }
        break;
      case 'fields':
        for (const item of c.items) {
          if (item.alias) {
            clash(item.alias);
            if (!defined.has(item.alias.name)) defined.set(item.alias.name, item.alias.span);
          } else if (item.expr.kind === 'field') {
            clash({ name: item.expr.name, span: item.expr.span });
          }
        }
        break;
      case 'stats':
        for (const p of [...c.aggregates, ...c.groupBy]) if (p.alias) clash(p.alias);
        break;
      default:
        break;
    }
  }
}

// ---------------------------------------------------------------- helpers

function findLastIndex<T>(xs: readonly T[], f: (x: T) => boolean): number {
  for (let i = xs.length - 1; i >= 0; i--) if (f(xs[i])) return i;
  return -1;
}

/** The span of the command's keyword as written (its first word). */
function keywordSpan(c: Command, text: string): Span {
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(c.span.start, c.span.end));
  return { start: c.span.start, end: c.span.start + (m ? m[0].length : 0) };
}

function keywordText(c: Command, text: string): string {
  const s = keywordSpan(c, text);
  return text.slice(s.start, s.end) || c.kind;
}

function cwUnexpected(text: string, span: Span, word: string): string {
  const { line, column } = lineColumn(text, span.start);
  return `unexpected symbol found ${word} at line ${line} and position ${column}`;
}

function commandExprs(c: Command): Expr[] {
  switch (c.kind) {
    case 'fields':
    case 'display':
      return c.items.map((p) => p.expr);
    case 'filter':
    case 'filterIndex':
      return [c.condition];
    case 'stats':
      return [...c.aggregates, ...c.groupBy].map((p) => p.expr);
    case 'unnest':
      return [c.source];
    case 'fillmissing':
      return c.fills.map((f) => f.value);
    case 'pattern':
      return [c.source];
    case 'diff':
    case 'anomaly':
    case 'sort':
    case 'limit':
    case 'parse':
    case 'dedup':
    case 'expand':
    case 'unsupported':
      return [];
  }
}

/** Visit an expression and its children (not into subqueries' commands). */
export function walk(e: Expr, f: (e: Expr) => void): void {
  f(e);
  switch (e.kind) {
    case 'unary':
      walk(e.operand, f);
      break;
    case 'binary':
      walk(e.left, f);
      walk(e.right, f);
      break;
    case 'like':
      walk(e.subject, f);
      walk(e.pattern, f);
      break;
    case 'in':
      walk(e.subject, f);
      walk(e.list, f);
      break;
    case 'list':
      for (const i of e.items) walk(i, f);
      break;
    case 'call':
      for (const a of e.args) walk(a, f);
      break;
    case 'access':
      walk(e.object, f);
      break;
    case 'field':
    case 'number':
    case 'string':
    case 'regex':
    case 'boolean':
    case 'duration':
    case 'star':
    case 'subquery':
      break;
  }
}
