import { exportUrl, type QueryView } from '../api';
import { formatDuration, toCsv } from '../format';
import type { RanQuery } from './useQueryRun';
import { REFRESH } from './useUrlState';

function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** CSV and JSON of the rows shown; every row as CSV (streamed by the server) when the table was cut. */
function ExportButtons({ result, ran }: { result: QueryView | null; ran: RanQuery | null }) {
  const exportName = `query-${new Date(ran?.endTime ?? 0).toISOString().slice(0, 19).replace(/[:T]/g, '-')}`;
  return (
    <div className="btn-group">
      <button
        type="button"
        className="btn"
        disabled={!result || result.rows.length === 0}
        data-testid="export-csv"
        onClick={() =>
          result &&
          download(
            `${exportName}.csv`,
            'text/csv',
            toCsv(
              result.columns.filter((c) => c !== '@ptr'),
              result.rows,
            ),
          )
        }
      >
        CSV
      </button>
      {result?.truncated && ran && (
        <a
          className="btn"
          href={exportUrl(ran)}
          download
          data-testid="export-all"
          title="Every row, streamed by the server as CSV (the table shows only the first ones)"
        >
          All rows (CSV)
        </a>
      )}
      <button
        type="button"
        className="btn"
        disabled={!result || result.rows.length === 0}
        data-testid="export-json"
        onClick={() =>
          result && download(`${exportName}.json`, 'application/json', JSON.stringify(result.rows, null, 2))
        }
      >
        JSON
      </button>
    </div>
  );
}

/** Run / Cancel, the run's status, auto-refresh, save, add to dashboard, exports. */
export function RunBar(props: {
  running: { id?: string; started: number } | null;
  elapsed: number;
  result: QueryView | null;
  ran: RanQuery | null;
  refresh: string;
  onRun: () => void;
  onCancel: () => void;
  onRefresh: (r: string) => void;
  onSave: () => void;
  onAddToDashboard: () => void;
}) {
  const { result, running, ran } = props;
  return (
    <div className="run-bar">
      {running ? (
        <button type="button" className="btn danger" onClick={props.onCancel} data-testid="cancel-button">
          Cancel
        </button>
      ) : (
        <button
          type="button"
          className="btn primary"
          onClick={props.onRun}
          data-testid="run-button"
          title="Run (Ctrl/⌘-Enter)"
        >
          Run query
        </button>
      )}
      <span className="run-status" data-testid="run-status">
        {running ? (
          <>
            <span className="spinner" /> Running… {formatDuration(props.elapsed)}
          </>
        ) : result ? (
          <span className={`status-${result.status.toLowerCase()}`}>
            {result.status === 'Complete' ? 'Completed' : result.status} in {formatDuration(result.elapsedMs)}
          </span>
        ) : (
          <span className="muted">Ctrl/⌘-Enter runs the query</span>
        )}
      </span>
      <span className="spacer" />
      <label className="inline-select" title="Re-run the query automatically">
        <select
          value={props.refresh}
          onChange={(e) => props.onRefresh(e.target.value)}
          data-testid="refresh-select"
          aria-label="Auto-refresh"
        >
          {Object.keys(REFRESH).map((k) => (
            <option key={k} value={k}>
              {k === 'off' ? 'Auto-refresh: off' : `Auto-refresh: ${k}`}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="btn" onClick={props.onSave} data-testid="save-button">
        Save
      </button>
      <button
        type="button"
        className="btn"
        disabled={!result}
        onClick={props.onAddToDashboard}
        data-testid="add-to-dashboard"
      >
        Add to dashboard
      </button>
      <ExportButtons result={result} ran={ran} />
    </div>
  );
}
