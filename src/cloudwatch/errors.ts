import { BiError } from '../util/errors.js';

/**
 * An error the CloudWatch Logs API answers with: `{"__type": code, "message": …}` and an HTTP
 * status. Both the AWS CLI and the JS SDK read the code from the body's `__type` only, so the
 * body is what matters; `extra` carries the few modeled error members (queryCompileError).
 */
export class CwApiError extends BiError {
  readonly status: number;
  readonly extra: Record<string, unknown>;
  constructor(type: string, message: string, status = 400, extra: Record<string, unknown> = {}) {
    super(type, message);
    this.name = 'CwApiError';
    this.status = status;
    this.extra = extra;
  }
  body(): Record<string, unknown> {
    return { __type: this.code, message: this.message, ...this.extra };
  }
}

export const invalidParameter = (message: string): CwApiError => new CwApiError('InvalidParameterException', message);
export const resourceNotFound = (message: string): CwApiError => new CwApiError('ResourceNotFoundException', message);
export const alreadyExists = (message: string): CwApiError => new CwApiError('ResourceAlreadyExistsException', message);
export const limitExceeded = (message: string): CwApiError => new CwApiError('LimitExceededException', message);
export const serviceUnavailable = (message: string): CwApiError =>
  new CwApiError('ServiceUnavailableException', message, 500);

export const MSG = {
  groupMissing: 'The specified log group does not exist.',
  streamMissing: 'The specified log stream does not exist.',
  groupExists: 'The specified log group already exists',
  streamExists: 'The specified log stream already exists',
} as const;
