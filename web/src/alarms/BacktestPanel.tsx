import { useEffect, useMemo, useState } from 'react';
import { api, ApiError, errorText } from '../api';
import type { AlarmBacktest, AlarmFieldProblem } from '../../../src/contracts/wire';
import { formatNumber } from '../format';
import { WatchedValueChart } from './WatchedValueChart';

/** A series key as people read it: `application = (none)` for an empty value, `(all)` for a single series. */
export function seriesText(key: string): string {
  if (key === '') return '(all)';
  return key
    .split(',')
    .map((part) => {
      const i = part.indexOf('=');
      return i < 0 ? part : `${part.slice(0, i)} = ${part.slice(i + 1) || '(none)'}`;
    })
    .join(', ');
}

/** Milliseconds without an edit before the definition is replayed. */
const DEBOUNCE_MS = 600;

/**
 * How the definition being edited would have behaved over the last 30 days: replayed by the
 * server (POST /api/alarms/backtest) a moment after the last edit, with the watched values, the
 * threshold line and a threshold suggested from history.
 */
export function BacktestPanel(props: {
  definition: Record<string, unknown>;
  onUseThreshold: (t: number) => void;
  onProblems: (p: AlarmFieldProblem[]) => void;
}) {
  const body = useMemo(() => JSON.stringify(props.definition), [props.definition]);
  const [result, setResult] = useState<AlarmBacktest | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [series, setSeries] = useState<string | undefined>();
  const { onProblems } = props;

  useEffect(() => {
    const ctl = new AbortController();
    // Busy from the edit on: the figures shown are the previous definition's until the replay answers.
    setBusy(true);
    const timer = setTimeout(() => {
      api.alarms.backtest(JSON.parse(body) as Record<string, unknown>, ctl.signal).then(
        (r) => {
          setResult(r);
          setError('');
          setBusy(false);
          onProblems([]);
        },
        (e: unknown) => {
          if (e instanceof Error && e.name === 'AbortError') return;
          setBusy(false);
          setResult(null);
          if (e instanceof ApiError && e.fields) {
            onProblems(e.fields);
            setError('Fix the fields marked in the form to see the backtest.');
          } else setError(errorText(e as ApiError));
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [body, onProblems]);

  const keys = result ? Object.keys(result.values) : [];
  const shown = series !== undefined && keys.includes(series) ? series : keys[0];
  return (
    <section className="alarm-section backtest" data-testid="backtest" aria-busy={busy}>
      <div className="alarm-section-head">
        <h3>Backtest: the last 30 days</h3>
        {busy && (
          <span className="muted" data-testid="backtest-busy">
            <span className="spinner" /> Replaying…
          </span>
        )}
      </div>
      {error && <div className="alarm-error">{error}</div>}
      {result && (
        <>
          <p className="backtest-fired" data-testid="backtest-fired">
            {result.fired === 0 ? (
              <>Would not have fired in the last 30 days</>
            ) : (
              <>
                Would have fired <strong data-testid="backtest-count">{formatNumber(result.fired)}</strong>{' '}
                {result.fired === 1 ? 'time' : 'times'} in the last 30 days
              </>
            )}{' '}
            <span className="muted">
              ({formatNumber(result.series)} {result.series === 1 ? 'series' : 'series'},{' '}
              {formatNumber(result.evaluations)} evaluations)
            </span>
          </p>
          {result.suggestion ? (
            <div className="backtest-suggestion" data-testid="backtest-suggestion">
              <div>
                Suggested threshold{' '}
                <strong data-testid="suggested-threshold">{formatNumber(result.suggestion.threshold)}</strong>: would
                have fired <span data-testid="suggested-fired">{formatNumber(result.suggestion.fired)}</span>{' '}
                {result.suggestion.fired === 1 ? 'time' : 'times'}.
                <div className="muted backtest-rule">{result.suggestion.rule}.</div>
              </div>
              {result.suggestion.threshold !== result.threshold && (
                <button
                  type="button"
                  className="btn"
                  onClick={() => props.onUseThreshold(result.suggestion!.threshold)}
                  data-testid="use-suggestion"
                >
                  Use {formatNumber(result.suggestion.threshold)}
                </button>
              )}
            </div>
          ) : null}
          {keys.length > 1 && (
            <select
              value={shown}
              onChange={(e) => setSeries(e.target.value)}
              aria-label="Series"
              className="backtest-series"
              data-testid="backtest-series"
            >
              {keys.map((k) => (
                <option key={k} value={k}>
                  {seriesText(k)} — fired {result.firedBySeries[k] ?? 0}
                </option>
              ))}
            </select>
          )}
          {shown === undefined ? (
            <div className="empty">No data in the last 30 days.</div>
          ) : (
            <WatchedValueChart
              chart={result}
              series={shown}
              threshold={result.seriesThresholds[shown] ?? result.threshold}
              testId="backtest-chart"
            />
          )}
        </>
      )}
    </section>
  );
}
