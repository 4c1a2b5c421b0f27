/**
 * The series colours of every chart, on the light background: the console's light theme
 * (web/src/theme.ts) and the PNG charts of the reports (src/reports/charts.ts) draw with the same
 * ones, so a series has one colour in the console and in the e-mailed report.
 */
export const LIGHT_PALETTE: readonly string[] = [
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
