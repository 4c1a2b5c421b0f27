// The console's colour scheme follows the system setting (prefers-color-scheme). The CSS does that
// by itself (styles.css); canvas charts cannot read CSS, so they ask here.
import { useSyncExternalStore } from 'react';
import { LIGHT_PALETTE } from '../../src/contracts/chart-palette';

export type Scheme = 'light' | 'dark';

const QUERY = '(prefers-color-scheme: dark)';

function subscribe(onChange: () => void): () => void {
  const mq = window.matchMedia(QUERY);
  mq.addEventListener('change', onChange);
  return () => mq.removeEventListener('change', onChange);
}

function current(): Scheme {
  return window.matchMedia(QUERY).matches ? 'dark' : 'light';
}

/** The system's colour scheme, re-rendering when it changes. */
export function useColorScheme(): Scheme {
  return useSyncExternalStore(subscribe, current, () => 'light');
}

/** Colours the charts draw with, per scheme (the same values as styles.css's variables). */
export interface ChartColors {
  text: string;
  muted: string;
  axis: string;
  grid: string;
  tooltip: string;
  tooltipBorder: string;
  background: string;
  palette: string[];
}

const LIGHT: ChartColors = {
  text: '#1d2733',
  muted: '#667185',
  axis: '#c3cad4',
  grid: '#e7ebf0',
  tooltip: '#ffffff',
  tooltipBorder: '#d9dee5',
  background: '#ffffff',
  palette: [...LIGHT_PALETTE],
};

const DARK: ChartColors = {
  text: '#dbe2ea',
  muted: '#8d99a8',
  axis: '#3a4553',
  grid: '#242c37',
  tooltip: '#1f2732',
  tooltipBorder: '#3a4553',
  background: '#171d26',
  palette: [
    '#4c9bef',
    '#f5a03a',
    '#4cc37a',
    '#e46bbd',
    '#9b82f0',
    '#3cc3d3',
    '#f07167',
    '#c9a54a',
    '#8fa3ba',
    '#b5d334',
  ],
};

export function chartColors(scheme: Scheme): ChartColors {
  return scheme === 'dark' ? DARK : LIGHT;
}
