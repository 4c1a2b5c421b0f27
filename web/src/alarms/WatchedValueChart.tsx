import { useCallback } from 'react';
import { axisStyle, baseOption, useEChart, type EChartsCoreOption } from '../components/echarts';
import type { ChartColors } from '../theme';
import type { AlarmSeriesChart as SeriesChart } from '../../../src/contracts/wire';
import { compactNumber, formatNumber } from '../format';

/** Changes into ALARM drawn as labelled vertical lines; more are drawn as dots. */
const MAX_ALARM_LINES = 8;

/** The watched value of one series over time with the threshold line and the ALARM changes marked. */
export function WatchedValueChart(props: {
  chart: SeriesChart;
  series: string;
  threshold?: number | null;
  testId?: string;
}) {
  const { chart, series } = props;
  const build = useCallback(
    (c: ChartColors): EChartsCoreOption => {
      const points = chart.values[series] ?? [];
      const threshold = props.threshold !== undefined ? props.threshold : chart.threshold;
      const alarms = chart.transitions.filter((t) => t.series === series && t.to === 'ALARM');
      // Past a few changes, labelled lines would cover the chart: dots on the breaching values instead.
      const manyAlarms = alarms.length > MAX_ALARM_LINES;
      const axis = axisStyle(c);
      const base = baseOption(c);
      return {
        ...base,
        tooltip: {
          ...(base.tooltip as object),
          trigger: 'axis',
          valueFormatter: (v: unknown) => (typeof v === 'number' ? formatNumber(v) : String(v)),
        },
        grid: { left: 8, right: 24, top: 20, bottom: 12, containLabel: true },
        xAxis: { type: 'time', min: chart.since, max: chart.until, ...axis, splitLine: { show: false } },
        yAxis: { type: 'value', ...axis, axisLabel: { color: c.muted, formatter: (v: number) => compactNumber(v) } },
        series: [
          {
            name: 'value',
            type: 'line',
            data: points,
            showSymbol: points.length < 80,
            symbolSize: 4,
            lineStyle: { width: 1.6 },
            color: c.palette[0],
            markLine: {
              symbol: 'none',
              silent: true,
              data: [
                ...(threshold !== null
                  ? [
                      {
                        yAxis: threshold,
                        name: 'threshold',
                        lineStyle: { color: '#d1453b', type: 'dashed' },
                        label: {
                          formatter: `threshold ${formatNumber(threshold)}`,
                          position: 'insideEndTop',
                          color: c.text,
                        },
                      },
                    ]
                  : []),
                ...(manyAlarms ? [] : alarms).map((t) => ({
                  xAxis: t.at,
                  lineStyle: { color: '#e07b00', type: 'dotted' },
                  label: { formatter: 'ALARM', position: 'insideEndTop', color: c.text },
                })),
              ],
            },
          },
          ...(manyAlarms
            ? [
                {
                  // A line without its line: the breaching values that changed the state to ALARM.
                  name: 'into ALARM',
                  type: 'line',
                  data: alarms
                    .filter((t) => t.value !== null)
                    .map((t) => [t.periodStart ?? t.at, t.value])
                    .sort((a, b) => Number(a[0]) - Number(b[0])),
                  showSymbol: true,
                  symbol: 'circle',
                  symbolSize: 6,
                  lineStyle: { width: 0, opacity: 0 },
                  color: '#e07b00',
                  z: 3,
                },
              ]
            : []),
        ],
      };
    },
    [chart, series, props.threshold],
  );
  const el = useEChart(build);
  return <div ref={el} className="alarm-chart" data-testid={props.testId ?? 'alarm-chart'} />;
}
