import type { ReactNode } from 'react';
import { relativeLabel, type RangeSpec } from '../../../src/contracts/range';
import type { LogGroupExtent } from '../api';
import { formatNumber, formatTime } from '../format';
import { defaultRange } from './useDataExtent';

function ago(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 90) return `${m} min ago`;
  const h = Math.round(ms / 3_600_000);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(ms / 86_400_000)} days ago`;
}

function rangeText(r: RangeSpec, utc: boolean): string {
  return r.kind === 'relative'
    ? relativeLabel(r.value)
    : `${formatTime(r.start, utc).slice(0, 16)} → ${formatTime(r.end, utc).slice(0, 16)}`;
}

/**
 * Why a query returned nothing, and the one-click fix: the range holds no event (the newest is
 * older: widen it), the log groups have none at all, or the events in the range did not match.
 */
export function EmptyResult(props: {
  startTime: number;
  endTime: number;
  extent: LogGroupExtent | null | undefined;
  utc: boolean;
  now: number;
  onRange: (r: RangeSpec) => void;
}) {
  const { startTime, endTime, extent, utc } = props;
  const zone = utc ? ' UTC' : '';
  const between = `between ${formatTime(startTime, utc).slice(0, 16)} and ${formatTime(endTime, utc).slice(0, 16)}${zone}`;
  let why: ReactNode;
  let fix: RangeSpec | null = null;
  let kind = 'unknown';
  if (extent && extent.events === 0) {
    kind = 'no-data';
    why = (
      <>
        These log groups have no events yet. Ingest logs with <code>bedrock-insights ingest ./bedrock-logs</code>, or
        load the demo data with <code>bedrock-insights demo</code>.
      </>
    );
  } else if (extent && extent.last !== null && extent.last < startTime) {
    kind = 'before-range';
    fix = defaultRange(extent, props.now);
    why = (
      <>
        0 events {between}. The newest event in these log groups is at{' '}
        <b data-testid="newest-event">
          {formatTime(extent.last, utc).slice(0, 16)}
          {zone}
        </b>{' '}
        ({ago(props.now - extent.last)}): widen the range.
      </>
    );
  } else if (extent && extent.first !== null && extent.first > endTime) {
    kind = 'after-range';
    fix = { kind: 'absolute', start: extent.first, end: props.now };
    why = (
      <>
        0 events {between}. The oldest event in these log groups is at{' '}
        <b>
          {formatTime(extent.first, utc).slice(0, 16)}
          {zone}
        </b>
        , after this range.
      </>
    );
  } else if (extent) {
    kind = 'no-match';
    why = (
      <>
        No event {between} matched the query. These log groups hold {formatNumber(extent.events)} events
        {extent.first !== null && extent.last !== null
          ? ` from ${formatTime(extent.first, utc).slice(0, 16)} to ${formatTime(extent.last, utc).slice(0, 16)}${zone}`
          : ''}
        : check the query&apos;s filters.
      </>
    );
  } else {
    why = <>0 events {between}.</>;
  }
  return (
    <div className="empty-result" role="status" data-testid="empty-result" data-kind={kind}>
      <p>{why}</p>
      {fix && (
        <button type="button" className="btn primary" data-testid="widen-range" onClick={() => props.onRange(fix)}>
          Show {rangeText(fix, utc)} and run again
        </button>
      )}
    </div>
  );
}
