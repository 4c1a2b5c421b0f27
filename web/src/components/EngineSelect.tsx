// Where a query runs: the store, or an engine connection of the server's config (Trino, Athena,
// CloudWatch). Shown only when the server has more than the store.
import { useEffect, useState } from 'react';
import { api, type EngineChoice } from '../api';

let choices: Promise<EngineChoice[]> | undefined;

/** The server's engines, read once per page load. */
export function useEngines(): EngineChoice[] {
  const [list, setList] = useState<EngineChoice[]>([]);
  useEffect(() => {
    choices ??= api.engines().catch(() => []);
    void choices.then(setList);
  }, []);
  return list;
}

export function EngineSelect(props: { value: string; onChange: (engine: string) => void; compact?: boolean }) {
  const engines = useEngines();
  if (engines.length < 2 && !props.value) return null;
  const known = engines.some((e) => e.name === props.value);
  return (
    <label className={props.compact ? 'engine-select compact' : 'engine-select'} title="Where the query runs">
      {!props.compact && <span>Engine</span>}
      <select
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-label="Engine"
        data-testid="engine-select"
      >
        {engines.map((e) => (
          <option key={e.name} value={e.name === 'duckdb' ? '' : e.name} title={e.description}>
            {e.name === 'duckdb' ? 'Local store' : `${e.name} (${e.engine})`}
          </option>
        ))}
        {props.value && !known && <option value={props.value}>{props.value} (not configured)</option>}
      </select>
    </label>
  );
}
