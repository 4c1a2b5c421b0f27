import { useCallback } from 'react';
import type { Histogram as HistogramData } from '../api';
import { axisStyle, baseOption, useEChart } from '../components/echarts';
import { formatNumber, formatTime } from '../format';
import type { ChartColors } from '../theme';

/** Every bin of the range, the empty ones as 0 (the server sends only bins with events). */
export function filledBins(h: HistogramData): [number, number][] {
  const at = new Map(h.bins);
  const first = Math.floor(h.startTime / h.binMs) * h.binMs;
  const out: [number, number][] = [];
  for (let t = first; t <= h.endTime; t += h.binMs) out.push([t, at.get(t) ?? 0]);
  // a bin() of 1d or 7d is aligned by the engine, not by the division above: keep its own starts
  for (const [t, n] of h.bins) if (!out.some((p) => p[0] === t)) out.push([t, n]);
  return out.sort((a, b) => a[0] - b[0]);
}

/**
 * CloudWatch's histogram above the results: matching events per bin over the range. Clicking a
 * bar narrows the range to that bin.
 */
export function Histogram(props: {
  data: HistogramData;
  utc: boolean;
  onSelect: (start: number, end: number) => void;
}) {
  const { data, utc, onSelect } = props;
  const build = useCallback(
    (c: ChartColors) => {
      const base = baseOption(c);
      const axis = axisStyle(c);
      const long = data.binMs >= 86_400_000;
      return {
        ...base,
        grid: { left: 8, right: 12, top: 8, bottom: 4, containLabel: true },
        tooltip: {
          ...(base.tooltip as object),
          trigger: 'axis',
          axisPointer: { type: 'shadow' },
          formatter: (ps: { value: [number, number] }[]) => {
            const [t, n] = ps[0]?.value ?? [0, 0];
            return `${formatTime(t, utc).slice(0, long ? 10 : 16)} (+${data.bin})<br/><b>${formatNumber(n)}</b> events`;
          },
        },
        xAxis: {
          type: 'time',
          min: data.startTime,
          max: data.endTime,
          ...axis,
          splitLine: { show: false },
          axisLabel: {
            color: c.muted,
            hideOverlap: true,
            formatter: (v: number) => {
              const s = formatTime(v, utc);
              return s.endsWith('00:00:00') ? s.slice(5, 10) : s.slice(11, 16);
            },
          },
        },
        yAxis: {
          type: 'value',
          ...axis,
          splitNumber: 2,
          axisLabel: { color: c.muted, formatter: (v: number) => formatNumber(v) },
        },
        series: [
          {
            type: 'bar',
            data: filledBins(data),
            barMaxWidth: 24,
            barMinWidth: 1,
            barCategoryGap: '15%',
            itemStyle: { color: c.palette[0] },
          },
        ],
      };
    },
    [data, utc],
  );
  const el = useEChart(build, (v) => {
    if (Array.isArray(v) && typeof v[0] === 'number') onSelect(v[0], v[0] + data.binMs - 1);
  });
  return (
    <div className="histogram" data-testid="histogram" data-total={data.total} data-bin={data.bin}>
      <div className="histogram-head">
        <span>
          <b data-testid="histogram-total">{formatNumber(data.total)}</b> events match the query&apos;s filters
        </span>
        <span className="muted">per {data.bin} · click a bar to narrow the range</span>
      </div>
      <div className="histogram-chart" ref={el} />
    </div>
  );
}
