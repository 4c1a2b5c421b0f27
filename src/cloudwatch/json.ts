import { randomBytes } from 'node:crypto';

/**
 * Response bodies as CloudWatch writes them. The model types some numbers as doubles (query
 * statistics: `"recordsMatched": 3.0`), and JSON.stringify writes 3 for 3.0; clients that print
 * the JSON they receive (the AWS CLI) then show a different value. A Double is written with its
 * fraction.
 */
export class Double {
  constructor(readonly value: number) {}
}

function doubleText(n: number): string {
  if (!Number.isFinite(n)) return 'null';
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? `${n}.0` : String(n);
}

// A placeholder no client-sent string can equal: it carries a random per-process tag.
const TAG = `\u0000double-${randomBytes(8).toString('hex')}:`;
const PLACEHOLDER = new RegExp(`"${JSON.stringify(TAG).slice(1, -1).replace(/\\/g, '\\\\')}(\\d+)"`, 'g');

/** JSON.stringify, with each Double written as a JSON number with a fraction. */
export function toJson(body: unknown): string {
  const doubles: string[] = [];
  const text = JSON.stringify(body, (_key, v: unknown) =>
    v instanceof Double ? `${TAG}${doubles.push(doubleText(v.value)) - 1}` : v,
  );
  return doubles.length === 0 ? text : text.replace(PLACEHOLDER, (_m, i: string) => doubles[Number(i)]);
}
