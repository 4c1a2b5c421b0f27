// The selected log groups' extent (events, oldest, newest), which the page compares an empty
// result with and picks its first range from.
import { useEffect, useState } from 'react';
import { smallestRangeCovering, type RangeSpec } from '../../../src/contracts/range';
import { api, type LogGroupExtent } from '../api';

/**
 * undefined while loading; null when it could not be read (the page then falls back to 1h).
 * `version` reads it again when it changes (after a run: new data may have arrived).
 */
export function useDataExtent(logGroups: string[], version = 0): LogGroupExtent | null | undefined {
  const key = logGroups.join(',');
  const [state, setState] = useState<{ key: string; extent: LogGroupExtent | null } | null>(null);
  useEffect(() => {
    const ctrl = new AbortController();
    api.extent(key ? key.split(',') : [], ctrl.signal).then(
      (extent) => setState({ key, extent }),
      (e: Error) => {
        if (e.name !== 'AbortError') setState({ key, extent: null });
      },
    );
    return () => ctrl.abort();
  }, [key, version]);
  return state && state.key === key ? state.extent : undefined;
}

const HOUR = 3_600_000;

/**
 * The range a first visit opens on: the last hour when the newest event is in it (CloudWatch's
 * default), else the smallest offered range that reaches back to the newest event, so that the
 * first screen shows rows (the demo's data ends at the top of the hour, or a day ago); a day
 * around the newest event when it is older than every offered range.
 */
export function defaultRange(extent: LogGroupExtent | null, now: number): RangeSpec {
  if (!extent || extent.last === null) return { kind: 'relative', value: '1h' };
  const rel = smallestRangeCovering(extent.last, now, HOUR);
  if (rel) return { kind: 'relative', value: rel };
  return { kind: 'absolute', start: extent.last - 24 * HOUR, end: extent.last };
}
