import { Fragment, useMemo, useState } from 'react';
import type { QueryEdit } from '../api';
import { displayValue, isNumeric, parseCwTimestamp } from '../format';
import { RecordDetail } from './RecordDetail';
import { EntityLink, type EntityLinks } from '../entity/links';
import { linkableValue } from '../../../src/contracts/entity';

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

export interface SortState {
  col: string;
  desc: boolean;
}

/**
 * Sortable results; plain log rows expand to the full event (by @ptr). The sort is the caller's
 * when it passes `sort` and `onSort` (the query page keeps it in the URL), else the table's own.
 */
export function ResultsTable(props: {
  columns: string[];
  rows: Record<string, string>[];
  aggregated: boolean;
  utc: boolean;
  compact?: boolean;
  sort?: SortState | null;
  onSort?: (s: SortState | null) => void;
  /** "Filter by this value" and the other edits of the expanded record. */
  onEdit?: (e: QueryEdit) => void;
  /** Columns that are an application, tenant, user, team or model: their cells open its page. */
  links?: EntityLinks;
}) {
  const cols = props.columns.filter((c) => c !== '@ptr');
  const [ownSort, setOwnSort] = useState<SortState | null>(null);
  const sort = props.onSort ? (props.sort ?? null) : ownSort;
  const [open, setOpen] = useState<Set<number>>(new Set());
  const [limit, setLimit] = useState(PAGE);
  const expandable = !props.aggregated && !props.compact;

  const rows = props.rows;
  const order = useMemo(() => {
    const idx = rows.map((_, i) => i);
    if (sort) idx.sort((a, b) => (sort.desc ? -1 : 1) * compare(rows[a][sort.col], rows[b][sort.col]));
    return idx;
  }, [rows, sort]);

  const columns = props.columns;
  const numericCol = useMemo(() => {
    const s = new Set<string>();
    for (const c of columns) {
      if (c === '@ptr') continue;
      const vals = rows
        .slice(0, 200)
        .map((r) => r[c])
        .filter((v) => v !== undefined && v !== '');
      if (vals.length && vals.every(isNumeric)) s.add(c);
    }
    return s;
  }, [rows, columns]);

  const clickHeader = (c: string): void => {
    const next = sort && sort.col === c ? (sort.desc ? { col: c, desc: false } : null) : { col: c, desc: true };
    if (props.onSort) props.onSort(next);
    else setOwnSort(next);
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
            const isOpen = expandable && open.has(i);
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
                  {cols.map((c) => {
                    const dim = props.links?.columns.get(c);
                    const v = row[c];
                    return (
                      <td key={c} className={numericCol.has(c) ? 'num' : ''} title={v}>
                        {dim && linkableValue(v) ? (
                          <EntityLink dim={dim} name={v} {...(props.links?.r ? { r: props.links.r } : {})}>
                            {displayValue(v, props.utc)}
                          </EntityLink>
                        ) : (
                          displayValue(v, props.utc)
                        )}
                      </td>
                    );
                  })}
                </tr>
                {isOpen && (
                  <tr className="detail-row">
                    <td colSpan={cols.length + 2}>
                      <RecordDetail
                        ptr={row['@ptr']}
                        row={row}
                        columns={cols}
                        utc={props.utc}
                        {...(props.onEdit ? { onEdit: props.onEdit } : {})}
                      />
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
