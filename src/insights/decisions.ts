/**
 * The unconfirmed defaults that matter most for Bedrock queries (spec §11): no source shows what
 * CloudWatch does, so each is one switch here, written up in docs/semantics.md ("Unconfirmed
 * defaults"). One piece of evidence from real CloudWatch changes one line below; the tests in
 * test/insights/decisions.test.ts prove that flipping a switch changes the result.
 */
export interface UnconfirmedDefaults {
  /**
   * `x != "v"` where x is missing: true would keep events without x. With false (the spec's
   * recommendation, §6.1), `filter errorCode != ""` keeps only the error records.
   */
  readonly notEqualMatchesMissing: boolean;
  /**
   * `stats` without `by` over zero events: one row (count 0, other aggregates missing) when true;
   * no row when false (§6.8 leaves it open; a dashboard then shows "no data").
   */
  readonly statsRowWithoutEvents: boolean;
  /** `sort f` without `asc`/`desc`: descending when true (moto's guess), ascending when false (§3.6). */
  readonly sortDescendingByDefault: boolean;
}

export const UNCONFIRMED_DEFAULTS: UnconfirmedDefaults = {
  notEqualMatchesMissing: false,
  statsRowWithoutEvents: false,
  sortDescendingByDefault: false,
};
