import { useState } from 'react';
import { RELATIVE_RANGES, resolveRange, type RangeSpec } from '../../../src/contracts/range';
import { formatTime } from '../format';

function toInput(ms: number, utc: boolean): string {
  return formatTime(ms, utc).replace(' ', 'T').slice(0, 16);
}
function fromInput(v: string, utc: boolean): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(v);
  if (!m) return NaN;
  const parts = [+m[1], +m[2] - 1, +m[3], +m[4], +m[5]] as const;
  return utc ? Date.UTC(...parts) : new Date(...parts).getTime();
}

export function describeRange(r: RangeSpec, utc: boolean): string {
  if (r.kind === 'relative') return `Last ${r.value}`;
  return `${formatTime(r.start, utc).slice(0, 16)} → ${formatTime(r.end, utc).slice(0, 16)}${utc ? ' UTC' : ''}`;
}

/** CloudWatch's relative ranges plus a custom absolute one; local time, or UTC when toggled. */
export function TimeRangePicker(props: {
  value: RangeSpec;
  onChange: (r: RangeSpec) => void;
  utc: boolean;
  onUtcChange: (u: boolean) => void;
}) {
  const [open, setOpen] = useState(false);
  const r = resolveRange(props.value);
  const [start, setStart] = useState(toInput(r.start, props.utc));
  const [end, setEnd] = useState(toInput(r.end, props.utc));
  const [err, setErr] = useState('');

  const openCustom = (): void => {
    const cur = resolveRange(props.value);
    setStart(toInput(cur.start, props.utc));
    setEnd(toInput(cur.end, props.utc));
    setErr('');
    setOpen(!open);
  };
  const apply = (): void => {
    const s = fromInput(start, props.utc);
    const e = fromInput(end, props.utc);
    if (!Number.isFinite(s) || !Number.isFinite(e)) return setErr('Enter both dates.');
    if (s > e) return setErr('The start must be before the end.');
    props.onChange({ kind: 'absolute', start: s, end: e + 59_999 });
    setOpen(false);
  };

  return (
    <div className="range-picker" data-testid="range-picker">
      <div className="segmented" role="group" aria-label="Time range">
        {RELATIVE_RANGES.map((x) => (
          <button
            key={x.value}
            type="button"
            className={props.value.kind === 'relative' && props.value.value === x.value ? 'on' : ''}
            onClick={() => props.onChange({ kind: 'relative', value: x.value })}
          >
            {x.label}
          </button>
        ))}
        <button
          type="button"
          className={props.value.kind === 'absolute' ? 'on' : ''}
          onClick={openCustom}
          data-testid="range-custom"
        >
          {props.value.kind === 'absolute' ? describeRange(props.value, props.utc) : 'Custom'}
        </button>
      </div>
      <label className="utc-toggle" title="Show and enter times in UTC instead of local time">
        <input type="checkbox" checked={props.utc} onChange={(e) => props.onUtcChange(e.target.checked)} /> UTC
      </label>
      {open && (
        <div className="popover range-popover">
          <div className="row">
            <label>
              From
              <input type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} />
            </label>
            <label>
              To
              <input type="datetime-local" value={end} onChange={(e) => setEnd(e.target.value)} />
            </label>
          </div>
          <div className="hint">
            {props.utc ? 'Times are UTC.' : `Times are local (${Intl.DateTimeFormat().resolvedOptions().timeZone}).`}
          </div>
          {err && <div className="error-text">{err}</div>}
          <div className="row end">
            <button type="button" className="btn" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="button" className="btn primary" onClick={apply}>
              Apply
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
