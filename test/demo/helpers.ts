import { generateRecords, type GenerateOptions } from '../../src/demo/generator.js';
import type { GeneratedRecord } from '../../src/demo/record.js';

/** Small data sets for tests: collected in memory on purpose (tests only). */
export function collect(opts: GenerateOptions): GeneratedRecord[] {
  return [...generateRecords(opts)];
}

export const END = '2026-11-20T00:00:00Z';
export const END_MS = Date.parse(END);
export const HOUR = 3_600_000;
