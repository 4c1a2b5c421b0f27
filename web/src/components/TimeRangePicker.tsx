import { useState } from 'react';
import {
  CALENDAR_RANGES,
  RELATIVE_RANGES,
  relativeLabel,
  resolveRange,
  type RangeSpec,
} from '../../../src/contracts/range';
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
  if (r.kind === 'relative') return relativeLabel(r.value);
  return `${formatTime(r.start, utc).slice(0, 16)} → ${formatTime(r.end, utc).slice(0, 16)}${utc ? ' UTC' : ''}`;
}

/** The ranges shown as buttons; every other one is in the menu. */
const QUICK = ['1h', '3h', '12h', '1d', '1w', '4w', '30d'];
const GROUPS: { title: string; values: { value: string; label: string }[] }[] = [
  { title: 'Minutes', values: RELATIVE_RANGES.filter((r) => r.value.endsWith('m')) },
  { title: 'Hours', values: RELATIVE_RANGES.filter((r) => r.value.endsWith('h')) },
  { title: 'Days and weeks', values: RELATIVE_RANGES.filter((r) => /[dw]$/.test(r.value)) },
  { title: 'Calendar months (UTC)', values: [...CALENDAR_RANGES] },
];

type Open = null | 'menu' | 'custom';

/**
 * The time range: CloudWatch's relative ranges, 30 and 90 days and calendar months (a menu), and
 * a custom absolute one; local time, or UTC when toggled.
 */
export function TimeRangePicker(props: {
  value: RangeSpec;
  onChange: (r: RangeSpec) => void;
  utc: boolean;
  onUtcChange: (u: boolean) => void;
}) {
  const [open, setOpen] = useState<Open>(null);
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [err, setErr] = useState('');
  const v = props.value;
  const relative = v.kind === 'relative' ? v.value : null;
  const inMenu = relative !== null && !QUICK.includes(relative);

  const openCustom = (): void => {
    const cur = resolveRange(props.value);
    setStart(toInput(cur.start, props.utc));
    setEnd(toInput(cur.end, props.utc));
    setErr('');
    setOpen(open === 'custom' ? null : 'custom');
  };
  const choose = (value: string): void => {
    props.onChange({ kind: 'relative', value });
    setOpen(null);
  };
  const apply = (): void => {
    const s = fromInput(start, props.utc);
    const e = fromInput(end, props.utc);
    if (!Number.isFinite(s) || !Number.isFinite(e)) return setErr('Enter both dates.');
    if (s > e) return setErr('The start must be before the end.');
    props.onChange({ kind: 'absolute', start: s, end: e + 59_999 });
    setOpen(null);
  };

  return (
    <div className="range-picker" data-testid="range-picker">
      <div className="segmented" role="group" aria-label="Time range">
        {QUICK.map((x) => (
          <button key={x} type="button" className={relative === x ? 'on' : ''} onClick={() => choose(x)}>
            {x}
          </button>
        ))}
        <button
          type="button"
          className={inMenu ? 'on' : ''}
          onClick={() => setOpen(open === 'menu' ? null : 'menu')}
          data-testid="range-more"
          aria-expanded={open === 'menu'}
          title="More ranges: minutes, 90 days, calendar months"
        >
          {inMenu && relative ? relativeLabel(relative) : 'More'} ▾
        </button>
        <button
          type="button"
          className={v.kind === 'absolute' ? 'on' : ''}
          onClick={openCustom}
          data-testid="range-custom"
          title={v.kind === 'absolute' ? describeRange(v, props.utc) : 'An absolute range'}
        >
          {v.kind === 'absolute' ? describeRange(v, props.utc) : 'Custom'}
        </button>
      </div>
      <label className="utc-toggle" title="Show and enter times in UTC instead of local time">
        <input type="checkbox" checked={props.utc} onChange={(e) => props.onUtcChange(e.target.checked)} /> UTC
      </label>
      {open === 'menu' && (
        <div className="popover range-menu" data-testid="range-menu">
          {GROUPS.map((g) => (
            <div key={g.title} className="range-group">
              <div className="range-group-title">{g.title}</div>
              <div className="range-group-items">
                {g.values.map((x) => (
                  <button
                    key={x.value}
                    type="button"
                    className={`chip${relative === x.value ? ' on' : ''}`}
                    onClick={() => choose(x.value)}
                    data-range={x.value}
                  >
                    {x.label}
                  </button>
                ))}
              </div>
            </div>
          ))}
        </div>
      )}
      {open === 'custom' && (
        <div className="popover range-popover" data-testid="range-popover">
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
            <button type="button" className="btn" onClick={() => setOpen(null)}>
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
