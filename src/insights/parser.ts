import type { Query } from './ast.js';
import type { Diagnostic } from './diagnostics.js';

// CONTRACT STUB — implemented by the query-language front end (issue 3).

export interface ParseResult {
  /** Present when the text parsed (possibly with recoverable diagnostics). */
  query?: Query;
  diagnostics: Diagnostic[];
}

/** Parse a Logs Insights query. Never throws: problems are diagnostics. */
export function parseQuery(text: string): ParseResult {
  void text;
  throw new Error('parseQuery: not implemented yet');
}
