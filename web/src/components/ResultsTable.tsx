import { Fragment, useEffect, useMemo, useState } from 'react';
import { api, type LogRecord } from '../api';
import { displayValue, isNumeric, parseCwTimestamp } from '../format';

const PAGE = 500;

function compare(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined || a === '') return 1;
  if (b === undefined || b === '') return -1;
  if (isNumeric(a) && isNumeric(b)) return Number(a) - Number(b);
  const ta = parseCwTimestamp(a);
  const tb = parseCwTimestamp(b);
  if (ta !== undefined && tb !== undefined) return ta - tb;
  return a.localeCompare(b);
}

function RecordDetail({
  ptr,
  row,
  columns,
}: {
  ptr: string | undefined;
  row: Record<string, string>;
  columns: string[];
}) {
  const [rec, setRec] = useState<LogRecord | null>(null);
  const [err, setErr] = useState('');
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    if (!ptr) return;
    setLoading(true);
    api
      .record(ptr)
      .then(setRec, (e: Error) => setErr(e.message))
      .finally(() => setLoading(false));
  }, [ptr]);
  const fallback = Object.fromEntries(columns.map((c) => [c, row[c]]));
  return (
    <div className="record-detail" data-testid="record-detail">
      {loading && <div className="muted">Loading the full event…</div>}
      {err && <div className="error-text">Could not load the full event: {err} Showing the row's fields.</div>}
      {rec && (
        <div className="record-meta muted">
          {rec.logGroup} · {rec.logStream}
        </div>
      )}
      {!loading && <pre>{JSON.stringify(rec ? rec.message : fallback, null, 2)}</pre>}
    </div>
  );
}

/** Sortable results; plain log rows expand to the full event (by @ptr). */
export function ResultsTable(props: {
  columns: string[];
  rows: Record<string, string>[];
  aggregated: boolean;
  utc: boolean;
  compact?: boolean;
}) {
  const cols = props.columns.filter((c) => c !== '@ptr');
  const [sort, setSort] = useState<{ col: string; desc: boolean } | null>(null);
  const [open, setOpen] = useState<Set<number>>(new Set());
  const [limit, setLimit] = useState(PAGE);
  const expandable = !props.aggregated && !props.compact;

  const order = useMemo(() => {
    const idx = props.rows.map((_, i) => i);
    if (sort) idx.sort((a, b) => (sort.desc ? -1 : 1) * compare(props.rows[a][sort.col], props.rows[b][sort.col]));
    return idx;
  }, [props.rows, sort]);

  const numericCol = useMemo(() => {
    const s = new Set<string>();
    for (const c of cols) {
      const vals = props.rows
        .slice(0, 200)
        .map((r) => r[c])
        .filter((v) => v !== undefined && v !== '');
      if (vals.length && vals.every(isNumeric)) s.add(c);
    }
    return s;
  }, [props.rows, props.columns]);

  const clickHeader = (c: string): void => {
    setSort((s) => (s && s.col === c ? (s.desc ? { col: c, desc: false } : null) : { col: c, desc: true }));
  };

  if (cols.length === 0) return <div className="empty">No fields in the result.</div>;
  return (
    <div className={`table-wrap${props.compact ? ' compact' : ''}`}>
      <table className="results" data-testid="results-table">
        <thead>
          <tr>
            {expandable && <th className="exp" aria-label="Expand" />}
            <th className="rownum">#</th>
            {cols.map((c) => (
              <th
                key={c}
                onClick={() => clickHeader(c)}
                className={numericCol.has(c) ? 'num sortable' : 'sortable'}
                aria-sort={sort?.col === c ? (sort.desc ? 'descending' : 'ascending') : 'none'}
              >
                {c}
                <span className="sort-mark">{sort?.col === c ? (sort.desc ? ' ▼' : ' ▲') : ''}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {order.slice(0, limit).map((i, n) => {
            const row = props.rows[i];
            const isOpen = open.has(i);
            return (
              <Fragment key={i}>
                <tr
                  className={isOpen ? 'open' : ''}
                  onClick={
                    expandable
                      ? () =>
                          setOpen((s) => {
                            const x = new Set(s);
                            if (x.has(i)) x.delete(i);
                            else x.add(i);
                            return x;
                          })
                      : undefined
                  }
                >
                  {expandable && <td className="exp">{isOpen ? '▾' : '▸'}</td>}
                  <td className="rownum">{n + 1}</td>
                  {cols.map((c) => (
                    <td key={c} className={numericCol.has(c) ? 'num' : ''} title={row[c]}>
                      {displayValue(row[c], props.utc)}
                    </td>
                  ))}
                </tr>
                {isOpen && (
                  <tr className="detail-row">
                    <td colSpan={cols.length + 2}>
                      <RecordDetail ptr={row['@ptr']} row={row} columns={cols} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      {order.length > limit && (
        <div className="more">
          Showing {limit.toLocaleString()} of {order.length.toLocaleString()} rows.{' '}
          <button type="button" className="link" onClick={() => setLimit(limit + PAGE * 4)}>
            Show more
          </button>
        </div>
      )}
    </div>
  );
}
