import { useCallback } from 'react';
import { analyseResult, categories, fillGaps, timeSeries, type ChartView } from '../chart';
import { compactNumber, formatNumber, formatTime } from '../format';
import type { ChartColors } from '../theme';
import { axisStyle, baseOption, useEChart, type EChartsCoreOption } from './echarts';

export interface ChartProps {
  view: ChartView;
  columns: string[];
  rows: Record<string, string>[];
  /** The value column for bar/pie (and the only one for line when set). */
  metric?: string;
  utc: boolean;
  height?: number | string;
  /**
   * A click on a bar, a slice or a line picks its category (a line: its series), e.g. to open an
   * application's page. Set only when that category is one value of one column.
   */
  onPick?: (category: string) => void;
}

const numberText = (v: unknown): string => (typeof v === 'number' ? formatNumber(v) : String(v));

/** About the width a label takes at the axis font (12 px system-ui): for sizing the label column. */
function textWidth(s: string): number {
  return Math.ceil(s.length * 6.6) + 8;
}

function buildOption(p: ChartProps, c: ChartColors, width: number): EChartsCoreOption {
  const shape = analyseResult(p.columns, p.rows);
  const metric = p.metric && shape.numericColumns.includes(p.metric) ? p.metric : shape.numericColumns[0];
  const base = baseOption(c);
  const axis = axisStyle(c);
  if ((p.view === 'line' || p.view === 'stackedArea') && shape.timeColumn) {
    const metrics = p.metric ? [metric] : shape.keyColumns.length ? [metric] : shape.numericColumns;
    const stacked = p.view === 'stackedArea';
    const series = stacked ? fillGaps(timeSeries(shape, p.rows, metrics)) : timeSeries(shape, p.rows, metrics);
    const legend = series.length > 1 || Boolean(shape.keyColumns.length);
    return {
      ...base,
      tooltip: { ...(base.tooltip as object), trigger: 'axis', valueFormatter: numberText },
      legend: { ...(base.legend as object), type: 'scroll', bottom: 0, show: legend },
      grid: { left: 8, right: 16, top: 16, bottom: legend ? 36 : 12, containLabel: true },
      xAxis: {
        type: 'time',
        ...axis,
        splitLine: { show: false },
        axisLabel: {
          color: c.muted,
          hideOverlap: true,
          formatter: (v: number) => {
            const s = formatTime(v, p.utc);
            return s.endsWith('00:00:00') ? s.slice(5, 10) : s.slice(11, 16);
          },
        },
      },
      yAxis: { type: 'value', ...axis, axisLabel: { color: c.muted, formatter: (v: number) => compactNumber(v) } },
      series: series.map((s) => ({
        name: s.name,
        type: 'line',
        data: s.points,
        showSymbol: s.points.length < 60,
        symbolSize: 5,
        ...(stacked ? { stack: 'total', areaStyle: { opacity: 0.55 } } : {}),
        lineStyle: { width: 2 },
      })),
    };
  }
  const data = metric ? categories(shape, p.rows, metric) : [];
  if (p.view === 'pie') {
    return {
      ...base,
      tooltip: { ...(base.tooltip as object), trigger: 'item', valueFormatter: numberText },
      legend: { ...(base.legend as object), show: true, type: 'scroll', orient: 'vertical', right: 8, top: 'middle' },
      series: [
        {
          type: 'pie',
          radius: ['38%', '70%'],
          center: ['38%', '50%'],
          data,
          label: { formatter: '{d}%', fontSize: 11, color: c.text },
          itemStyle: { borderColor: c.background, borderWidth: 1 },
        },
      ],
    };
  }
  // Bar: horizontal when there are many or long category names, vertical otherwise. Every
  // category keeps its whole label where the chart is wide enough (up to 45% of its width goes to
  // the labels); only a label longer than that is cut, and the tooltip has the whole name.
  const horizontal = data.length > 8 || data.some((d) => d.name.length > 14);
  const longest = Math.max(0, ...data.map((d) => textWidth(d.name)));
  const labelWidth = Math.max(80, Math.min(longest, Math.floor(width * 0.45) || 220));
  const catAxis = {
    type: 'category',
    data: data.map((d) => d.name),
    ...axis,
    axisLabel: horizontal
      ? { color: c.muted, interval: 0, width: labelWidth, overflow: 'truncate' }
      : {
          color: c.muted,
          interval: 0,
          hideOverlap: false,
          rotate: data.length > 5 ? 30 : 0,
          width: Math.max(80, Math.min(longest, 160)),
          overflow: 'truncate',
        },
  };
  const valAxis = { type: 'value', ...axis, axisLabel: { color: c.muted, formatter: (v: number) => compactNumber(v) } };
  return {
    ...base,
    tooltip: {
      ...(base.tooltip as object),
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: numberText,
    },
    grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
    xAxis: horizontal ? valAxis : catAxis,
    yAxis: horizontal ? { ...catAxis, inverse: true } : valAxis,
    series: [
      {
        name: metric,
        type: 'bar',
        data: data.map((d) => d.value),
        barMaxWidth: 48,
        itemStyle: { borderRadius: horizontal ? [0, 3, 3, 0] : [3, 3, 0, 0] },
      },
    ],
  };
}

/** An ECharts chart of a query result; sets data-rendered="true" once drawn (tests and the benchmark wait for it). */
export function Chart(props: ChartProps) {
  const { view, columns, rows, metric, utc } = props;
  const build = useCallback(
    (c: ChartColors, width: number) =>
      buildOption({ view, columns, rows, utc, ...(metric ? { metric } : {}) }, c, width),
    [view, columns, rows, metric, utc],
  );
  const { onPick } = props;
  const el = useEChart(build, (_v, item) => {
    const picked = view === 'line' || view === 'stackedArea' ? item.seriesName : item.name;
    if (onPick && picked) onPick(picked);
  });
  return (
    <div
      className={`chart${onPick ? ' pickable' : ''}`}
      data-view={view}
      data-pickable={onPick ? 'true' : undefined}
      ref={el}
      style={{ height: props.height ?? 360, width: '100%' }}
    />
  );
}
