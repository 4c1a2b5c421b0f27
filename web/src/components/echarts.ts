// ECharts, registered once for every chart of the console (each page chunk imports this module),
// and the hook that draws an option into a div: init, resize, dispose, and the scheme's colours.
import { useEffect, useEffectEvent, useRef, type RefObject } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';
import { chartColors, useColorScheme, type ChartColors } from '../theme';

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  DataZoomComponent,
  CanvasRenderer,
]);

export type { EChartsCoreOption };
export type ChartInstance = echarts.ECharts;

/** What was clicked: a bar's or slice's category (`name`), a line's series (`seriesName`). */
export interface ClickedItem {
  name?: string;
  seriesName?: string;
}

/** What every chart shares: no animation, the scheme's text, axis and tooltip colours. */
export function baseOption(c: ChartColors): EChartsCoreOption {
  return {
    animation: false,
    color: c.palette,
    backgroundColor: 'transparent',
    textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', color: c.text },
    // Hidden unless a chart asks for it (a present legend option shows one: it covered a bar chart's axis).
    legend: { show: false, textStyle: { color: c.text }, pageTextStyle: { color: c.muted } },
    tooltip: { backgroundColor: c.tooltip, borderColor: c.tooltipBorder, textStyle: { color: c.text } },
  };
}

/** Axis colours of the scheme, merged into an axis option. */
export function axisStyle(c: ChartColors): Record<string, unknown> {
  return {
    axisLine: { lineStyle: { color: c.axis } },
    axisTick: { lineStyle: { color: c.axis } },
    axisLabel: { color: c.muted },
    splitLine: { lineStyle: { color: c.grid } },
  };
}

/**
 * Draw `build(colors, width)` into the returned div's ref; redraws when `build` (memoise it with
 * useCallback on what it reads) or the colour scheme changes, resizes with the div, and sets
 * data-rendered="true" once drawn (tests wait for it). `onClick` gets the clicked item's value
 * and its category and series names (the latest handler is called).
 */
export function useEChart(
  build: (colors: ChartColors, width: number) => EChartsCoreOption,
  onClick?: (value: unknown, item: ClickedItem) => void,
): RefObject<HTMLDivElement | null> {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<ChartInstance | null>(null);
  const scheme = useColorScheme();
  const click = useEffectEvent((value: unknown, item: ClickedItem) => onClick?.(value, item));
  useEffect(() => {
    const node = el.current;
    if (!node) return;
    const c = echarts.init(node, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('finished', () => node.setAttribute('data-rendered', 'true'));
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(node);
    c.on('click', (e) => {
      const x = e as { value?: unknown; name?: unknown; seriesName?: unknown };
      click(x.value, {
        ...(typeof x.name === 'string' ? { name: x.name } : {}),
        ...(typeof x.seriesName === 'string' ? { seriesName: x.seriesName } : {}),
      });
    });
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    const node = el.current;
    const c = chart.current;
    if (!node || !c) return;
    node.setAttribute('data-scheme', scheme);
    c.setOption(build(chartColors(scheme), node.clientWidth), { notMerge: true });
  }, [build, scheme]);
  return el;
}
