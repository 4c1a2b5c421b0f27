import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, DataZoomComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';
import { analyseResult, categories, fillGaps, timeSeries, type ChartView } from '../chart';
import { compactNumber, formatNumber, formatTime } from '../format';

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  DataZoomComponent,
  CanvasRenderer,
]);

const PALETTE = [
  '#0b6bcb',
  '#e07b00',
  '#1a9e5c',
  '#c2379b',
  '#6f4cd6',
  '#0f9fb0',
  '#d1453b',
  '#8a6d1f',
  '#4b5d73',
  '#97b300',
];

export interface ChartProps {
  view: ChartView;
  columns: string[];
  rows: Record<string, string>[];
  /** The value column for bar/pie (and the only one for line when set). */
  metric?: string;
  utc: boolean;
  height?: number | string;
}

function buildOption(p: ChartProps): EChartsCoreOption {
  const shape = analyseResult(p.columns, p.rows);
  const metric = p.metric && shape.numericColumns.includes(p.metric) ? p.metric : shape.numericColumns[0];
  const base = {
    animation: false,
    color: PALETTE,
    textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
  };
  if ((p.view === 'line' || p.view === 'stackedArea') && shape.timeColumn) {
    const metrics = p.metric ? [metric] : shape.keyColumns.length ? [metric] : shape.numericColumns;
    const stacked = p.view === 'stackedArea';
    const series = stacked ? fillGaps(timeSeries(shape, p.rows, metrics)) : timeSeries(shape, p.rows, metrics);
    return {
      ...base,
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: unknown) => (typeof v === 'number' ? formatNumber(v) : String(v)),
      },
      legend: { type: 'scroll', bottom: 0, show: series.length > 1 || Boolean(shape.keyColumns.length) },
      grid: {
        left: 8,
        right: 16,
        top: 16,
        bottom: series.length > 1 || shape.keyColumns.length ? 36 : 12,
        containLabel: true,
      },
      xAxis: {
        type: 'time',
        axisLabel: {
          hideOverlap: true,
          formatter: (v: number) => {
            const s = formatTime(v, p.utc);
            return s.endsWith('00:00:00') ? s.slice(5, 10) : s.slice(11, 16);
          },
        },
      },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => compactNumber(v) } },
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
      tooltip: {
        trigger: 'item',
        valueFormatter: (v: unknown) => (typeof v === 'number' ? formatNumber(v) : String(v)),
      },
      legend: { type: 'scroll', orient: 'vertical', right: 8, top: 'middle' },
      series: [
        {
          type: 'pie',
          radius: ['38%', '70%'],
          center: ['38%', '50%'],
          data,
          label: { formatter: '{d}%', fontSize: 11 },
          itemStyle: { borderColor: '#fff', borderWidth: 1 },
        },
      ],
    };
  }
  // bar: horizontal when there are many or long category names, vertical otherwise
  const horizontal = data.length > 8 || data.some((d) => d.name.length > 14);
  const catAxis = {
    type: 'category',
    data: data.map((d) => d.name),
    // Every category keeps its label (a hidden label hid the tallest bar's name at 1024 px): slanted
    // when there are several, cut with an ellipsis when long (the tooltip has the whole name).
    axisLabel: horizontal
      ? { interval: 0, width: 220, overflow: 'truncate' }
      : { interval: 0, hideOverlap: false, rotate: data.length > 5 ? 30 : 0, width: 120, overflow: 'truncate' },
  };
  const valAxis = { type: 'value', axisLabel: { formatter: (v: number) => compactNumber(v) } };
  return {
    ...base,
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (v: unknown) => (typeof v === 'number' ? formatNumber(v) : String(v)),
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

/** An ECharts chart; sets data-rendered="true" once drawn (tests and the benchmark wait for it). */
export function Chart(props: ChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const node = el.current!;
    const c = echarts.init(node, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('finished', () => node.setAttribute('data-rendered', 'true'));
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(node);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(buildOption(props), { notMerge: true });
  }, [props.view, props.columns, props.rows, props.metric, props.utc]);

  return (
    <div className="chart" data-view={props.view} ref={el} style={{ height: props.height ?? 360, width: '100%' }} />
  );
}
