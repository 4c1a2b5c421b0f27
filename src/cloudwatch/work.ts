import { workLimitError } from './filterErrors.js';

/**
 * The work budget of one request's filter-pattern matching, in bytes examined: every scan of a
 * message (a term, a regex, a glob, JSON.parse, the space-delimited split and its table) spends
 * what it reads. The matchers are linear, so bytes examined bound the time; the budget stops a
 * request that asks for a great deal of linear work (50 large messages × hundreds of terms, or
 * a FilterLogEvents page over gigabytes) before it competes with everything else.
 */
export class WorkMeter {
  spent = 0;
  constructor(readonly limit: number) {}

  spend(bytes: number): void {
    this.spent += bytes;
    if (this.spent > this.limit) throw workLimitError(this.limit);
  }

  get remaining(): number {
    return Math.max(0, this.limit - this.spent);
  }
}

/** For callers that bound work elsewhere (unit tests, the parser's own checks). */
export function unmetered(): WorkMeter {
  return new WorkMeter(Number.POSITIVE_INFINITY);
}
