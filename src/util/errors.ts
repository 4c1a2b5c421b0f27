/**
 * Errors are values with a stable code. The message says what went wrong and what to do;
 * `details` carries machine-readable context (file, line, field…) for callers that render it.
 */
export class BiError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'BiError';
    this.code = code;
    this.details = details;
  }
}

export function isBiError(e: unknown): e is BiError {
  return e instanceof BiError;
}

/** The message of anything thrown, without a stack, for user-facing output. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
