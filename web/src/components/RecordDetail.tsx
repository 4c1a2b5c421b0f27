import { useEffect, useState } from 'react';
import { api, type LogRecord, type QueryEdit } from '../api';
import { formatNumber, formatTime } from '../format';

/** A value of the record as the table shows it, and as a filter compares it (numbers stay numbers). */
export interface FieldRow {
  field: string;
  text: string;
  value: string | number | boolean | null;
}

/**
 * The record's fields as Logs Insights names them: nested objects joined with dots
 * (`requestMetadata.tenant_id`), array items by index (`output.outputBodyJson.content.0.text`).
 */
export function flattenRecord(message: unknown, prefix = '', out: FieldRow[] = []): FieldRow[] {
  if (message !== null && typeof message === 'object') {
    const entries = Array.isArray(message)
      ? message.map((v, i) => [String(i), v] as const)
      : Object.entries(message as Record<string, unknown>);
    if (entries.length === 0 && prefix)
      out.push({ field: prefix, text: Array.isArray(message) ? '[]' : '{}', value: null });
    for (const [k, v] of entries) flattenRecord(v, prefix ? `${prefix}.${k}` : k, out);
    return out;
  }
  if (!prefix) {
    out.push({ field: '@message', text: String(message), value: String(message) });
    return out;
  }
  const value =
    typeof message === 'number' || typeof message === 'boolean' || message === null ? message : String(message);
  out.push({ field: prefix, text: message === null ? 'null' : String(message), value });
  return out;
}

/** A record's price with the precision a single invocation needs ($0.027286). */
function recordUsd(v: string | undefined): string {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n)) return '—';
  return n >= 1 ? `$${n.toFixed(2)}` : `$${n.toFixed(6)}`;
}

const COST_PARTS: [string, string][] = [
  ['cost.input', 'input'],
  ['cost.output', 'output'],
  ['cost.cacheRead', 'cache read'],
  ['cost.cacheWrite', 'cache write'],
];

function CostSummary(props: { cost: Record<string, string> }) {
  const c = props.cost;
  const unpricedTokens = Number(c['cost.unpricedTokens'] ?? 0);
  const unpriced = c['cost.unpriced'];
  return (
    <div className="record-cost" data-testid="record-cost" data-total={c['cost.total'] ?? ''}>
      <span className="record-cost-total">
        Cost <b title={c['cost.total']}>{c['cost.total'] !== undefined ? recordUsd(c['cost.total']) : 'unpriced'}</b>
      </span>
      {COST_PARTS.filter(([k]) => c[k] !== undefined && Number(c[k]) !== 0).map(([k, label]) => (
        <span key={k} className="muted" title={c[k]}>
          {label} {recordUsd(c[k])}
        </span>
      ))}
      {unpriced && (
        <span className="cost-warn" data-testid="record-unpriced">
          {formatNumber(unpricedTokens)} tokens without a price ({unpriced}): not in this amount
        </span>
      )}
      {c['cost.priceVersion'] && <span className="muted small">prices {c['cost.priceVersion']}</span>}
    </div>
  );
}

/**
 * The full event behind a result row (by its @ptr), as CloudWatch shows it: a table of its
 * fields with "filter by this value", its price, and the raw JSON on demand. Without a @ptr (or
 * when the event cannot be read), the row's own fields.
 */
export function RecordDetail(props: {
  ptr: string | undefined;
  row: Record<string, string>;
  columns: string[];
  utc: boolean;
  onEdit?: (e: QueryEdit) => void;
}) {
  const { ptr } = props;
  const [loaded, setLoaded] = useState<{ ptr: string; rec: LogRecord | null; err: string } | null>(null);
  const [raw, setRaw] = useState(false);
  useEffect(() => {
    if (!ptr) return;
    const ctrl = new AbortController();
    api.record(ptr, ctrl.signal).then(
      (rec) => setLoaded({ ptr, rec, err: '' }),
      (e: Error) => {
        if (e.name !== 'AbortError') setLoaded({ ptr, rec: null, err: e.message });
      },
    );
    return () => ctrl.abort();
  }, [ptr]);
  const current = loaded && loaded.ptr === ptr ? loaded : null;
  const loading = Boolean(ptr) && !current;
  const rec = current?.rec ?? null;
  const rows: FieldRow[] = rec
    ? [
        { field: '@timestamp', text: formatTime(rec.timestamp, props.utc, true), value: null },
        { field: '@logStream', text: rec.logStream, value: rec.logStream },
        { field: '@log', text: rec.logGroup, value: rec.logGroup },
        ...flattenRecord(rec.message),
      ]
    : props.columns.map((c) => ({ field: c, text: props.row[c] ?? '', value: props.row[c] ?? null }));
  const edit = props.onEdit;
  return (
    <div className="record-detail" data-testid="record-detail">
      {loading && <div className="muted">Loading the full event…</div>}
      {current?.err && (
        <div className="error-text">Could not load the full event: {current.err} Showing the row&apos;s fields.</div>
      )}
      {rec?.cost && <CostSummary cost={rec.cost.fields} />}
      {!loading && (
        <>
          <div className="record-tools">
            <span className="muted small">
              {rec ? `${rec.logGroup} · ${rec.logStream} · ` : ''}
              {rows.length} fields
            </span>
            <span className="spacer" />
            {rec && (
              <button type="button" className="link small" onClick={() => setRaw(!raw)} data-testid="record-raw-toggle">
                {raw ? 'Show fields' : 'Show JSON'}
              </button>
            )}
          </div>
          {raw && rec ? (
            <pre data-testid="record-json">{JSON.stringify(rec.message, null, 2)}</pre>
          ) : (
            <table className="record-fields" data-testid="record-fields">
              <tbody>
                {rows.map((r) => (
                  <tr key={r.field} data-field={r.field}>
                    <th scope="row" title={r.field}>
                      {r.field}
                    </th>
                    <td className="record-value">{r.text}</td>
                    <td className="record-actions">
                      {edit && r.value !== null && r.field !== '@timestamp' && (
                        <>
                          <button
                            type="button"
                            className="icon-btn"
                            title={`Filter: ${r.field} = this value`}
                            data-testid="filter-value"
                            onClick={() => edit({ op: 'filter', field: r.field, value: r.value })}
                          >
                            =
                          </button>
                          <button
                            type="button"
                            className="icon-btn"
                            title={`Exclude: ${r.field} != this value`}
                            data-testid="exclude-value"
                            onClick={() => edit({ op: 'exclude', field: r.field, value: r.value })}
                          >
                            ≠
                          </button>
                        </>
                      )}
                      {edit && (
                        <button
                          type="button"
                          className="icon-btn"
                          title={`Add ${r.field} to the fields command`}
                          onClick={() => edit({ op: 'fields', field: r.field })}
                        >
                          +
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </div>
  );
}
