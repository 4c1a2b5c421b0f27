import { CwApiError, invalidParameter } from './errors.js';

/**
 * Server-side validation of request members, with the real service's wording
 * ("1 validation error detected: Value … at '…' failed to satisfy constraint: …"). The JS SDK
 * validates nothing and the CLI only minimums, so the server is the only reliable validator.
 */

export const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]+$/;
export const LOG_GROUP_PATTERN_TEXT = '[\\.\\-_/#A-Za-z0-9]+';
export const LOG_STREAM_NAME = /^[^:*]*$/;
export const LOG_GROUP_IDENTIFIER = /^[\w#+=/:,.@-]*$/;
export const METRIC_NAME = /^[^:*$]*$/;

function shown(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return `'${s.length > 64 ? `${s.slice(0, 64)}…` : s}'`;
}

/** JSON's name for what a client sent (the value itself is not echoed: it may be a log message). */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number with a fraction';
  if (typeof v === 'boolean') return 'true/false';
  return 'an object';
}

/**
 * A member of the wrong JSON type: AWS JSON 1.1 services answer SerializationException (the
 * request cannot be read into the operation's shape), not a validation error.
 */
export function typeError(member: string, expected: string, v: unknown): Error {
  return new CwApiError('SerializationException', `Cannot read '${member}': expected ${expected}, got ${jsonKind(v)}.`);
}

export function constraintError(member: string, value: unknown, constraint: string): Error {
  return invalidParameter(
    `1 validation error detected: Value ${shown(value)} at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

interface StrRule {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  patternText?: string;
  /** Never echo the value in an error (log messages are sensitive). */
  secret?: boolean;
}
interface NumRule {
  required?: boolean;
  min?: number;
  max?: number;
}

/** Typed, validating access to a parsed JSON request body. Unknown members are ignored. */
export class Input {
  constructor(readonly body: Record<string, unknown>) {}

  has(name: string): boolean {
    return this.body[name] !== undefined && this.body[name] !== null;
  }

  str(name: string, rule: StrRule & { required: true }): string;
  str(name: string, rule?: StrRule): string | undefined;
  str(name: string, rule: StrRule = {}): string | undefined {
    return checkString(name, this.body[name], rule);
  }

  int(name: string, rule: NumRule & { required: true }): number;
  int(name: string, rule?: NumRule): number | undefined;
  int(name: string, rule: NumRule = {}): number | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) {
      if (rule.required) throw constraintError(name, null, 'Member must not be null');
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || !Number.isInteger(v)) throw typeError(name, 'an integer', v);
    if (rule.min !== undefined && v < rule.min)
      throw constraintError(name, String(v), `Member must have value greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && v > rule.max)
      throw constraintError(name, String(v), `Member must have value less than or equal to ${rule.max}`);
    return v;
  }

  num(name: string): number | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw typeError(name, 'a number', v);
    return v;
  }

  bool(name: string): boolean | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw typeError(name, 'true or false', v);
    return v;
  }

  list(name: string, rule: { required?: boolean; min?: number; max?: number } = {}): unknown[] | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) {
      if (rule.required) throw constraintError(name, null, 'Member must not be null');
      return undefined;
    }
    if (!Array.isArray(v)) throw typeError(name, 'a list', v);
    if (rule.min !== undefined && v.length < rule.min)
      throw constraintError(
        name,
        `[${v.length} items]`,
        `Member must have length greater than or equal to ${rule.min}`,
      );
    if (rule.max !== undefined && v.length > rule.max)
      throw constraintError(name, `[${v.length} items]`, `Member must have length less than or equal to ${rule.max}`);
    return v as unknown[];
  }

  strList(
    name: string,
    rule: { required?: boolean; min?: number; max?: number; item?: StrRule } = {},
  ): string[] | undefined {
    const v = this.list(name, rule);
    if (!v) return undefined;
    return v.map((x, i) => checkString(`${name}.${i + 1}.member`, x, { ...rule.item, required: true }) as string);
  }

  obj(name: string): Record<string, unknown> | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) throw typeError(name, 'an object', v);
    return v as Record<string, unknown>;
  }
}

export function checkString(member: string, v: unknown, rule: StrRule = {}): string | undefined {
  if (v === undefined || v === null) {
    if (rule.required) throw constraintError(member, null, 'Member must not be null');
    return undefined;
  }
  if (typeof v !== 'string') throw typeError(member, 'a string', v);
  const shownValue = rule.secret ? '***' : v;
  const len = [...v].length;
  if (rule.min !== undefined && len < rule.min)
    throw constraintError(member, shownValue, `Member must have length greater than or equal to ${rule.min}`);
  if (rule.max !== undefined && len > rule.max)
    throw constraintError(member, shownValue, `Member must have length less than or equal to ${rule.max}`);
  if (rule.pattern && !rule.pattern.test(v)) {
    throw constraintError(
      member,
      shownValue,
      `Member must satisfy regular expression pattern: ${rule.patternText ?? rule.pattern.source.replace(/^\^|\$$/g, '')}`,
    );
  }
  return v;
}

export const GROUP_RULE = { min: 1, max: 512, pattern: LOG_GROUP_NAME, patternText: LOG_GROUP_PATTERN_TEXT } as const;
export const STREAM_RULE = { min: 1, max: 512, pattern: LOG_STREAM_NAME, patternText: '[^:*]*' } as const;

/**
 * `logGroupName` or `logGroupIdentifier` (a name or an ARN, without `:*`): exactly one.
 * Returns the group name.
 */
export function groupNameOrIdentifier(input: Input): string {
  const name = input.str('logGroupName', GROUP_RULE);
  const ident = input.str('logGroupIdentifier', {
    min: 1,
    max: 2048,
    pattern: LOG_GROUP_IDENTIFIER,
    patternText: '[\\w#+=/:,.@-]*',
  });
  if (name !== undefined && ident !== undefined)
    throw invalidParameter('LogGroupName and LogGroupIdentifier are mutually exclusive; give only one.');
  if (name === undefined && ident === undefined)
    throw invalidParameter('Either LogGroupName or LogGroupIdentifier must be specified.');
  return name ?? groupFromIdentifier(ident!);
}

/** `arn:aws:logs:<region>:<account>:log-group:<name>[:*]` or a bare name → the name. */
export function groupFromIdentifier(ident: string): string {
  const m = /^arn:[^:]*:logs:[^:]*:[^:]*:log-group:(.+?)(:\*)?$/.exec(ident);
  return m ? m[1] : ident;
}
