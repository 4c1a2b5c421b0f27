import { BiError } from '../util/errors.js';

/** A whole-number flag, or undefined when absent. */
export function wholeNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  // Accept 1_000_000 and 1,000,000 as well as 1000000.
  const clean = text.replace(/[_,]/g, '');
  if (!/^\d+$/.test(clean)) throw new BiError('INVALID_ARGUMENT', `${flag} ${text}: use a whole number.`);
  return Number(clean);
}
