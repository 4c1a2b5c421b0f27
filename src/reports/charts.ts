import { LIGHT_PALETTE } from '../contracts/chart-palette.js';
import { abbreviateModelId } from '../contracts/model-names.js';
import { existsSync } from 'node:fs';
import * as echarts from 'echarts';
import { Resvg } from '@resvg/resvg-js';

/**
 * Charts rendered on the server (ECharts SSR) to SVG strings that are inlined in the report, so
 * the report opens with no server and no script. `svgToPng` rasterises one with resvg.
 *
 * Fonts: resvg has no fallback font; with none it draws no text at all, and it maps `sans-serif`
 * to a serif face. So charts name DejaVu Sans (Debian's fonts-dejavu-core) and the PNG renderer
 * loads that file explicitly.
 */

export const CHART_FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
export const DEJAVU_SANS = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

function render(option: Record<string, unknown>, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      color: [...LIGHT_PALETTE],
      textStyle: { fontFamily: CHART_FONT, fontSize: 12 },
      ...option,
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const money = (v: number): string =>
  Math.abs(v) >= 1000 ? `$${(v / 1000).toFixed(1)}k` : Math.abs(v) >= 10 ? `$${v.toFixed(0)}` : `$${v.toFixed(2)}`;

export interface BarDatum {
  name: string;
  value: number;
  highlight?: boolean;
}

/** Vertical bars (months, weeks), value labels on top; highlighted bars (the period) in the accent colour. */
export function barChart(title: string, data: BarDatum[], opts: { width?: number; height?: number } = {}): string {
  return render(
    {
      title: { text: title, left: 0, top: 0, textStyle: { fontSize: 13, fontWeight: 600, fontFamily: CHART_FONT } },
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      xAxis: {
        type: 'category',
        data: data.map((d) => d.name),
        axisLabel: { fontSize: 11, interval: 0, hideOverlap: true },
      },
      yAxis: { type: 'value', axisLabel: { formatter: money, fontSize: 11 } },
      series: [
        {
          type: 'bar',
          barMaxWidth: 46,
          data: data.map((d) => ({
            value: Number(d.value.toFixed(2)),
            itemStyle: { color: d.highlight === false ? '#9fb8d6' : '#0b6bcb' },
          })),
          // Value labels only where they fit (a quarter has 14 weekly bars), and none on empty bars.
          label: {
            show: data.length <= 8,
            position: 'top',
            fontSize: 10,
            formatter: (p: { value: number }) => (p.value === 0 ? '' : money(p.value)),
          },
        },
      ],
    },
    opts.width ?? 460,
    opts.height ?? 260,
  );
}

/** Model ids and ARNs shortened for an axis: the ARN's resource id, then at most 28 characters. */
export function shortName(name: string): string {
  const s = abbreviateModelId(name);
  return s.length > 28 ? `${s.slice(0, 27)}…` : s;
}

/** Horizontal bars for a top-N list, largest first. */
export function rankingChart(title: string, data: BarDatum[], opts: { width?: number } = {}): string {
  const height = Math.max(140, 48 + data.length * 26);
  return render(
    {
      title: { text: title, left: 0, top: 0, textStyle: { fontSize: 13, fontWeight: 600, fontFamily: CHART_FONT } },
      // Category labels get a fixed width (SSR measures text with a generic font, so a measured
      // width can be short of the real one and clip the start of a long model id).
      grid: { left: 178, right: 56, top: 32, bottom: 4, containLabel: false },
      xAxis: { type: 'value', axisLabel: { formatter: money, fontSize: 10 } },
      yAxis: {
        type: 'category',
        inverse: true,
        data: data.map((d) => shortName(d.name)),
        axisLabel: { fontSize: 10, width: 170, overflow: 'truncate' },
      },
      series: [
        {
          type: 'bar',
          barMaxWidth: 18,
          data: data.map((d) => Number(d.value.toFixed(2))),
          label: { show: true, position: 'right', fontSize: 10, formatter: (p: { value: number }) => money(p.value) },
        },
      ],
    },
    opts.width ?? 460,
    height,
  );
}

/** Daily cost line, with marked points (anomalous days). */
export function dailyChart(
  title: string,
  days: { day: string; cost: number }[],
  marked: Set<string>,
  opts: { width?: number; height?: number } = {},
): string {
  return render(
    {
      title: { text: title, left: 0, top: 0, textStyle: { fontSize: 13, fontWeight: 600, fontFamily: CHART_FONT } },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: {
        type: 'category',
        data: days.map((d) => d.day.slice(5)),
        axisLabel: { fontSize: 10, hideOverlap: true },
      },
      yAxis: { type: 'value', axisLabel: { formatter: money, fontSize: 11 } },
      series: [
        {
          type: 'line',
          showSymbol: true,
          symbolSize: 4,
          lineStyle: { width: 2 },
          areaStyle: { opacity: 0.12 },
          data: days.map((d) =>
            marked.has(d.day)
              ? { value: Number(d.cost.toFixed(2)), symbolSize: 10, itemStyle: { color: '#d1453b' } }
              : Number(d.cost.toFixed(2)),
          ),
        },
      ],
    },
    opts.width ?? 980,
    opts.height ?? 260,
  );
}

/** An SVG chart as PNG (resvg), with the DejaVu Sans font loaded so labels render. */
export function svgToPng(svg: string, width = 1200): Buffer {
  const fontFiles = existsSync(DEJAVU_SANS) ? [DEJAVU_SANS] : [];
  const r = new Resvg(svg, {
    background: '#ffffff',
    fitTo: { mode: 'width', value: width },
    font: {
      fontFiles,
      loadSystemFonts: fontFiles.length === 0,
      sansSerifFamily: 'DejaVu Sans',
      defaultFontFamily: 'DejaVu Sans',
    },
  });
  return r.render().asPng();
}
