import { isBiError } from '../util/errors.js';
import type { Call } from './context.js';
import { FILTER_DEADLINE, workLimitError } from './filterErrors.js';
import type { FilterPattern } from './filterPattern.js';
import type { MatchJobResult } from './matchJobs.js';
import type { Deadline } from './matchPool.js';

/** Which messages of a chunk were decided (the first `decided`), and which of those match. */
export interface Verdict {
  decided: number;
  matches(index: number): boolean;
}

/**
 * One request's filter-pattern matching: its budget of bytes examined and its deadline are
 * shared by every chunk it sends to the matching threads (call.shared.matcher).
 */
export class RequestMatcher {
  private readonly deadline: Deadline;
  private remaining: number;

  /**
   * @param sqlDecided the pattern is only required plain terms, which the caller's SQL already
   *   tested (`contains`), so every row it reads matches and no thread is needed.
   */
  constructor(
    private readonly call: Call,
    private readonly text: string,
    private readonly pattern: FilterPattern,
    private readonly sqlDecided = false,
  ) {
    const { budgetBytes, deadlineMs } = call.shared.filterLimits;
    this.remaining = budgetBytes;
    // Wall time, not call.shared.now (a test clock): the deadline bounds real work.
    this.deadline = { at: Date.now() + deadlineMs, ms: deadlineMs };
  }

  expired(): boolean {
    return Date.now() >= this.deadline.at;
  }

  /**
   * FilterLogEvents: judges a chunk. When the budget or the time runs out after `progress` (some
   * rows of the page were already judged), it answers with what was decided, or null for
   * nothing, so the page ends there with a nextToken; without progress it throws the coded error.
   */
  async judge(messages: string[], progress: boolean): Promise<Verdict | null> {
    if (this.pattern.kind === 'all' || this.sqlDecided || messages.length === 0)
      return { decided: messages.length, matches: () => true };
    let r: MatchJobResult;
    try {
      r = await this.run(messages);
    } catch (e) {
      if (progress && isBiError(e) && e.code === FILTER_DEADLINE) return null;
      throw e;
    }
    if (r.stoppedAt === 0 && !progress) throw workLimitError(this.call.shared.filterLimits.budgetBytes);
    const hit = new Set(r.matches.map((m) => m.index));
    return { decided: r.stoppedAt ?? messages.length, matches: (i) => hit.has(i) };
  }

  /** TestMetricFilter: every message decided, or the coded error. */
  async all(messages: string[]): Promise<MatchJobResult['matches']> {
    const r = await this.run(messages);
    if (r.stoppedAt !== undefined) throw workLimitError(this.call.shared.filterLimits.budgetBytes);
    return r.matches;
  }

  private async run(messages: string[]): Promise<MatchJobResult> {
    const r = await this.call.shared.matcher.match(
      { pattern: this.text, messages, budget: this.remaining },
      this.deadline,
    );
    this.remaining = Math.max(0, this.remaining - r.spent);
    return r;
  }
}
