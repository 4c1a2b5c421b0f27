import { useState } from 'react';
import type { FieldCoverage, QueryEdit } from '../api';
import { formatNumber } from '../format';
import type { Panel } from './usePanels';

/** Every event has these (CloudWatch lists them first). */
const SYSTEM_FIELDS = ['@timestamp', '@message', '@logStream', '@log'];

function pct(n: number, total: number): string {
  if (!total) return '–';
  const p = (n * 100) / total;
  return p >= 99.95 ? '100%' : p < 0.1 && n > 0 ? '<0.1%' : `${p.toFixed(1)}%`;
}

/**
 * CloudWatch's "Discovered fields": the share of the events matching the query's filters that
 * have each field, and buttons that add it to the query (fields, filter, stats by).
 */
export function FieldsPanel(props: {
  coverage: Panel<FieldCoverage>;
  /** The catalog's names, listed while the coverage is not there (or failed). */
  catalog: string[];
  onEdit: (e: QueryEdit) => void;
  onHide: () => void;
}) {
  const [search, setSearch] = useState('');
  const cov = props.coverage.data;
  const total = cov?.total ?? 0;
  const rows: { field: string; events: number | null }[] = cov
    ? [...SYSTEM_FIELDS.map((f) => ({ field: f, events: total })), ...cov.fields]
    : [...SYSTEM_FIELDS, ...props.catalog].map((f) => ({ field: f, events: null }));
  const needle = search.trim().toLowerCase();
  const shown = needle ? rows.filter((r) => r.field.toLowerCase().includes(needle)) : rows;
  return (
    <aside className="fields-panel" data-testid="fields-panel" aria-label="Discovered fields">
      <div className="fields-head">
        <b>Discovered fields</b>
        <span className="muted small">{rows.length}</span>
        <span className="spacer" />
        <button type="button" className="icon-btn" title="Hide the discovered fields" onClick={props.onHide}>
          ✕
        </button>
      </div>
      <div className="fields-sub muted small" data-testid="fields-basis">
        {props.coverage.loading
          ? 'Counting the fields of the matching events…'
          : cov
            ? `Share of the ${formatNumber(total)} matching events that have each field`
            : props.coverage.error
              ? `Coverage unavailable: ${props.coverage.error}`
              : 'Run the query to see how many events have each field'}
      </div>
      <input
        className="fields-search"
        placeholder="Search fields"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        aria-label="Search fields"
      />
      <ul className="fields-list">
        {shown.map((r) => (
          <li key={r.field} data-field={r.field} data-events={r.events ?? undefined}>
            <div className="field-line">
              <span className="field-name" title={r.field}>
                {r.field}
              </span>
              {r.events !== null && (
                <span className="field-share" title={`${formatNumber(r.events)} of ${formatNumber(total)} events`}>
                  {pct(r.events, total)}
                </span>
              )}
            </div>
            {r.events !== null && (
              <div className="share-bar" aria-hidden="true">
                <span style={{ width: total ? `${Math.min(100, (r.events * 100) / total)}%` : 0 }} />
              </div>
            )}
            <div className="field-actions">
              <button
                type="button"
                className="link small"
                onClick={() => props.onEdit({ op: 'fields', field: r.field })}
                title={`Add ${r.field} to the fields command`}
              >
                + fields
              </button>
              {!SYSTEM_FIELDS.includes(r.field) && (
                <button
                  type="button"
                  className="link small"
                  onClick={() => props.onEdit({ op: 'filter', field: r.field })}
                  title={`Keep only events that have ${r.field}`}
                >
                  filter
                </button>
              )}
              <button
                type="button"
                className="link small"
                onClick={() => props.onEdit({ op: 'statsBy', field: r.field })}
                title={`Count events per ${r.field} (stats … by ${r.field})`}
              >
                stats by
              </button>
            </div>
          </li>
        ))}
      </ul>
    </aside>
  );
}
