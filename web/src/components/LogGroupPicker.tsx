import { useEffect, useRef, useState } from 'react';
import type { LogGroupInfo } from '../api';
import { compactNumber } from '../format';

/** Multi-select of log groups with a filter box; shows the event count of each. */
export function LogGroupPicker(props: {
  groups: LogGroupInfo[];
  value: string[];
  onChange: (v: string[]) => void;
  error?: string;
}) {
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const close = (e: MouseEvent): void => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, []);
  const toggle = (name: string): void => {
    props.onChange(props.value.includes(name) ? props.value.filter((g) => g !== name) : [...props.value, name]);
  };
  const shown = props.groups.filter((g) => g.name.toLowerCase().includes(filter.toLowerCase()));
  const label =
    props.value.length === 0
      ? 'All log groups'
      : props.value.length === 1
        ? props.value[0]
        : `${props.value.length} log groups`;
  return (
    <div className="loggroup-picker" ref={box}>
      <button
        type="button"
        className="select-button"
        onClick={() => setOpen(!open)}
        data-testid="loggroup-button"
        aria-expanded={open}
      >
        <span className="select-label">Log groups</span>
        <span className="select-value">{label}</span>
        <span className="caret">▾</span>
      </button>
      {open && (
        <div className="popover loggroup-popover">
          <input
            className="filter"
            placeholder="Filter log groups"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            autoFocus
          />
          {props.error && <div className="error-text">{props.error}</div>}
          {shown.length === 0 && !props.error && (
            <div className="muted pad">
              No log groups yet. Ingest logs with <code>bedrock-insights ingest</code>.
            </div>
          )}
          <ul>
            {shown.map((g) => (
              <li key={g.name}>
                <label>
                  <input type="checkbox" checked={props.value.includes(g.name)} onChange={() => toggle(g.name)} />
                  <span className="lg-name">{g.name}</span>
                  <span className="muted">{compactNumber(g.events)} events</span>
                </label>
              </li>
            ))}
          </ul>
          {props.value.length > 0 && (
            <button type="button" className="link" onClick={() => props.onChange([])}>
              Clear selection (query all)
            </button>
          )}
        </div>
      )}
    </div>
  );
}
