import { useMemo, type ReactNode } from 'react';
import { rangeToParam, type RangeSpec } from '../../../src/contracts/range';
import { answerText } from '../../../src/contracts/answer-text';
import type { FieldCoverage, Histogram as HistogramData, LogGroupExtent, QueryEdit, QueryView } from '../api';
import { analyseResult, availableViews, defaultMetric, defaultView, type ChartView } from '../chart';
import { Chart } from '../components/Chart';
import { ResultsTable, type SortState } from '../components/ResultsTable';
import { entityColumns } from '../../../src/contracts/entity';
import { formatBytes, formatDuration, formatNumber } from '../format';
import { EmptyResult } from './EmptyResult';
import { FieldsPanel } from './FieldsPanel';
import { Histogram } from './Histogram';
import type { Panel } from './usePanels';
import type { RanQuery } from './useQueryRun';
import type { QueryTab, QueryUrlPatch } from './useUrlState';

const VIEW_LABEL: Record<ChartView, string> = { line: 'Line', stackedArea: 'Stacked area', bar: 'Bar', pie: 'Pie' };

/** The chart the result gets: the URL's choice when it fits, else the default for its shape. */
export function useChartChoice(
  result: QueryView | null,
  queryText: string,
  vizParam: string | null,
  metricParam: string | null,
) {
  const shape = useMemo(() => (result ? analyseResult(result.columns, result.rows) : null), [result]);
  const views = shape && result ? availableViews(shape, result.aggregated) : [];
  const view: ChartView | undefined =
    vizParam && (views as string[]).includes(vizParam)
      ? (vizParam as ChartView)
      : shape && result
        ? defaultView(shape, result.aggregated)
        : undefined;
  const metric = shape
    ? metricParam && shape.numericColumns.includes(metricParam)
      ? metricParam
      : defaultMetric(shape, queryText)
    : undefined;
  return { shape, views, view, metric };
}

export interface ResultsPanelProps {
  tab: QueryTab;
  result: QueryView | null;
  ran: RanQuery | null;
  running: boolean;
  queryText: string;
  utc: boolean;
  viz: string | null;
  metric: string | null;
  sort: SortState | null;
  fieldsPanel: boolean;
  histogram: Panel<HistogramData>;
  coverage: Panel<FieldCoverage>;
  catalog: string[];
  extent: LogGroupExtent | null | undefined;
  update: (patch: QueryUrlPatch, push?: boolean) => void;
  onEdit: (e: QueryEdit) => void;
  /** Set the range and run again (the empty result's fix, a histogram bar). */
  onRange: (r: RangeSpec) => void;
}

function StatsLine({ result }: { result: QueryView }) {
  return (
    <div className="stats-line" data-testid="query-stats">
      <span>
        <b>{formatNumber(result.rows.length)}</b> rows{result.truncated ? ' (row limit reached)' : ''}
      </span>
      <span>
        <b>{formatNumber(result.statistics.recordsMatched)}</b> records matched
      </span>
      <span>
        <b>{formatNumber(result.statistics.recordsScanned)}</b> records scanned
      </span>
      <span>
        <b>{formatBytes(result.statistics.bytesScanned)}</b> scanned
      </span>
      <span>{formatDuration(result.elapsedMs)}</span>
      {result.answeredBy && (
        <span className="answered-by" data-testid="query-answered-by" title={answerText(result.answeredBy)}>
          {result.answeredBy.source === 'rollup' ? 'from the hourly roll-up' : 'from the events'}
        </span>
      )}
    </div>
  );
}

/** The Visualization tab: why there is no chart (no stats, an empty result, no number), or the chart. */
function VizTab(p: ResultsPanelProps & { emptyHint: ReactNode }) {
  const { result, update } = p;
  const { shape, views, view, metric } = useChartChoice(result, p.queryText, p.viz, p.metric);
  if (!result) return <div className="empty">Run a stats query to see a chart.</div>;
  if (!result.aggregated)
    return (
      <div className="empty" data-testid="viz-needs-stats">
        No visualization for this query. Visualizations need a <code>stats</code> query, e.g.{' '}
        <code>stats sum(input.inputTokenCount) by bin(1h)</code>.
      </div>
    );
  if (p.emptyHint) return <>{p.emptyHint}</>;
  if (!view)
    return (
      <div className="empty" data-testid="viz-no-number">
        This result has no numeric column to plot: add an aggregate such as <code>count(*)</code> to the{' '}
        <code>stats</code> command.
      </div>
    );
  return (
    <div className="viz">
      <div className="viz-bar">
        <div className="segmented" role="group" aria-label="Chart type">
          {views.map((v) => (
            <button
              key={v}
              type="button"
              className={v === view ? 'on' : ''}
              onClick={() => update({ viz: v })}
              data-testid={`viz-${v}`}
            >
              {VIEW_LABEL[v]}
            </button>
          ))}
        </div>
        {shape && shape.numericColumns.length > 1 && (
          <label className="inline-select">
            Value
            <select value={metric} onChange={(e) => update({ metric: e.target.value })}>
              {shape.numericColumns.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <Chart
        view={view}
        columns={result.columns}
        rows={result.rows}
        {...(metric ? { metric } : {})}
        utc={p.utc}
        height={380}
      />
    </div>
  );
}

/** The Logs tab: the table (or why it is empty) and the discovered fields. */
function LogsTab(p: ResultsPanelProps & { emptyHint: ReactNode }) {
  const { result, ran, update } = p;
  return (
    <div className="logs-body">
      <div className="logs-main">
        {result && result.rows.length > 0 ? (
          <ResultsTable
            // a new run is a new table: rows opened in the last result do not stay open
            key={ran ? `${ran.queryString}|${ran.startTime}|${ran.endTime}` : ''}
            columns={result.columns}
            rows={result.rows}
            aggregated={result.aggregated}
            utc={p.utc}
            sort={p.sort}
            onSort={(s) => update({ sort: s })}
            onEdit={p.onEdit}
            {...(ran
              ? { links: { columns: entityColumns(result.columns, ran.queryString), r: rangeToParam(ran.range) } }
              : {})}
          />
        ) : p.emptyHint ? (
          p.emptyHint
        ) : (
          <div className="empty">{p.running ? 'Waiting for the first results…' : 'Run a query to see results.'}</div>
        )}
      </div>
      {p.fieldsPanel && (
        <FieldsPanel
          coverage={p.coverage}
          catalog={p.catalog}
          onEdit={p.onEdit}
          onHide={() => update({ fieldsPanel: false })}
        />
      )}
    </div>
  );
}

/** The results: statistics, histogram, the Logs and Visualization tabs, the discovered fields. */
export function ResultsPanel(p: ResultsPanelProps) {
  const { result, ran, update } = p;
  const empty = result !== null && ran !== null && result.status === 'Complete' && result.rows.length === 0;
  const emptyHint = empty && ran && (
    <EmptyResult
      startTime={ran.startTime}
      endTime={ran.endTime}
      extent={p.extent}
      utc={p.utc}
      now={ran.endTime}
      onRange={p.onRange}
    />
  );
  return (
    <>
      {result && <StatsLine result={result} />}
      <div className="results-panel">
        {p.histogram.data && p.histogram.data.total > 0 && (
          <Histogram
            data={p.histogram.data}
            utc={p.utc}
            onSelect={(start, end) => p.onRange({ kind: 'absolute', start, end })}
          />
        )}
        <div className="tabs">
          <button
            type="button"
            className={p.tab === 'logs' ? 'on' : ''}
            onClick={() => update({ tab: 'logs' })}
            data-testid="tab-logs"
          >
            Logs{result ? ` (${formatNumber(result.rows.length)})` : ''}
          </button>
          <button
            type="button"
            className={p.tab === 'viz' ? 'on' : ''}
            onClick={() => update({ tab: 'viz' })}
            data-testid="tab-viz"
          >
            Visualization
          </button>
          <span className="spacer" />
          {p.tab === 'logs' && !p.fieldsPanel && (
            <button
              type="button"
              className="link small"
              onClick={() => update({ fieldsPanel: true })}
              data-testid="show-fields"
            >
              Discovered fields
            </button>
          )}
        </div>
        {p.tab === 'logs' ? (
          <LogsTab {...p} emptyHint={emptyHint || null} />
        ) : (
          <VizTab {...p} emptyHint={emptyHint || null} />
        )}
      </div>
    </>
  );
}
