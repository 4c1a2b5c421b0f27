import { isBiError } from '../util/errors.js';
import {
  dimensionValueOf,
  matchFilterPattern,
  metricValueOf,
  parseFilterPattern,
  type FilterPattern,
} from './filterPattern.js';
import { FILTER_WORK_LIMIT } from './filterErrors.js';
import { WorkMeter } from './work.js';

/**
 * The CPU-heavy part of filter patterns, as plain data in and out so that it can run on a worker
 * thread (matchWorker.ts) while the event loop keeps answering: which messages a pattern
 * matches (FilterLogEvents, TestMetricFilter) and what metric filters emit (the alarms).
 */

/** Match one pattern against messages, within a budget of bytes examined. */
export interface MatchJob {
  kind: 'match';
  pattern: string;
  messages: string[];
  budget: number;
}

export interface MatchJobResult {
  /** Matching messages (index into `messages`) with their extracted values. */
  matches: { index: number; extractedValues: Record<string, string> }[];
  spent: number;
  /** Set when the budget ran out while examining this message: it and later ones were not decided. */
  stoppedAt?: number;
}

/** A metric filter as the alarms evaluate it. */
export interface EmitFilter {
  filterPattern: string;
  metricValue: string;
  defaultValue?: number;
  dimensions?: Record<string, string>;
  /** Only messages of this group (undefined: every group). */
  logGroupName?: string;
}

/** What each metric filter emits for each message. */
export interface EmitJob {
  kind: 'emit';
  filters: EmitFilter[];
  messages: string[];
  /** The log group of each message. */
  groups: string[];
  budget: number;
}

export interface Emission {
  message: number;
  filter: number;
  value: number;
  dims: Record<string, string>;
  /** False when the value is the filter's defaultValue for a message it did not match. */
  matched: boolean;
}

export interface EmitJobResult {
  emissions: Emission[];
  spent: number;
}

export type Job = MatchJob | EmitJob;
export type JobResult = MatchJobResult | EmitJobResult;

const cache = new Map<string, FilterPattern>();
const CACHE_SIZE = 64;

/** Patterns were validated by the caller; compiling again here is cheap and cached per thread. */
function compiled(text: string): FilterPattern {
  let p = cache.get(text);
  if (!p) {
    p = parseFilterPattern(text);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(text, p);
  }
  return p;
}

function runMatch(job: MatchJob): MatchJobResult {
  const p = compiled(job.pattern);
  const work = new WorkMeter(job.budget);
  const matches: MatchJobResult['matches'] = [];
  for (let i = 0; i < job.messages.length; i++) {
    try {
      const r = matchFilterPattern(p, job.messages[i], work);
      if (r) matches.push({ index: i, extractedValues: r.extractedValues });
    } catch (e) {
      if (isBiError(e) && e.code === FILTER_WORK_LIMIT) return { matches, spent: work.spent, stoppedAt: i };
      throw e;
    }
  }
  return { matches, spent: work.spent };
}

function runEmit(job: EmitJob): EmitJobResult {
  const filters = job.filters.map((f) => ({ f, p: compiled(f.filterPattern) }));
  const work = new WorkMeter(job.budget);
  const emissions: Emission[] = [];
  job.messages.forEach((message, m) => {
    filters.forEach(({ f, p }, fi) => {
      if (f.logGroupName !== undefined && f.logGroupName !== job.groups[m]) return;
      const match = matchFilterPattern(p, message, work);
      if (!match) {
        if (f.defaultValue !== undefined)
          emissions.push({ message: m, filter: fi, value: f.defaultValue, dims: {}, matched: false });
        return;
      }
      const value = metricValueOf(f.metricValue, message, match);
      if (value === undefined) return;
      const dims: Record<string, string> = {};
      for (const [name, ref] of Object.entries(f.dimensions ?? {})) {
        const v = dimensionValueOf(ref, message, match);
        if (v === undefined) return;
        dims[name] = v;
      }
      emissions.push({ message: m, filter: fi, value, dims, matched: true });
    });
  });
  return { emissions, spent: work.spent };
}

export function runJob(job: Job): JobResult {
  return job.kind === 'match' ? runMatch(job) : runEmit(job);
}
