import type { Span } from './ast.js';

export type Severity = 'error' | 'warning' | 'info';

/**
 * A diagnostic is a value: a stable `code` (documented in docs/diagnostics.md), a message that
 * tells the user what to do, and the span it concerns. Line is 1-based, column 0-based
 * (CloudWatch's "line L and position P" convention, see docs/semantics.md).
 */
export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  span: Span;
  line: number;
  column: number;
  /** e.g. the suggested field for an unknown one. */
  suggestion?: string;
}

/** 1-based line and 0-based column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart };
}

export function diagnostic(
  text: string,
  code: string,
  severity: Severity,
  message: string,
  span: Span,
  suggestion?: string,
): Diagnostic {
  const { line, column } = lineColumn(text, span.start);
  const d: Diagnostic = { code, severity, message, span, line, column };
  if (suggestion !== undefined) d.suggestion = suggestion;
  return d;
}

/** The source line of a diagnostic with a caret (or tildes) under the span. */
export function renderDiagnostic(text: string, d: Diagnostic): string {
  const lines = text.split('\n');
  const src = lines[d.line - 1] ?? '';
  const width = Math.max(1, Math.min(d.span.end - d.span.start, src.length - d.column));
  const marker = ' '.repeat(d.column) + '^' + (width > 1 ? '~'.repeat(width - 1) : '');
  return `${d.severity} ${d.code} at line ${d.line}, column ${d.column}: ${d.message}\n  ${src}\n  ${marker}`;
}
