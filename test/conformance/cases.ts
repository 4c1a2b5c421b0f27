import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CONFORMANCE_DIR, datasetPath, REPO_ROOT, toMillis } from './paths.js';
import { isErrorExpectation, type CaseFile, type ConformanceCase } from './types.js';

export const CASES_DIR = join(CONFORMANCE_DIR, 'cases');

export interface LoadedCase {
  /** Case file path relative to cases/, e.g. `commands/stats.json`. */
  file: string;
  case: ConformanceCase;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) out.push(...walk(p));
    else if (ent.name.endsWith('.json')) out.push(p);
  }
  return out.sort();
}

export function caseFiles(): string[] {
  return walk(CASES_DIR);
}

export function readCaseFile(path: string): CaseFile {
  return JSON.parse(readFileSync(path, 'utf8')) as CaseFile;
}

export function loadCases(): LoadedCase[] {
  const out: LoadedCase[] = [];
  for (const path of caseFiles()) {
    const file = relative(CASES_DIR, path);
    for (const c of readCaseFile(path).cases) out.push({ file, case: c });
  }
  return out;
}

/** The query text of a case: inline (lines joined with \n) or a file read verbatim. */
export function queryText(c: ConformanceCase): string {
  if (c.queryFile !== undefined) return readFileSync(join(REPO_ROOT, c.queryFile), 'utf8');
  return Array.isArray(c.query) ? c.query.join('\n') : (c.query ?? '');
}

const CASE_KEYS = new Set([
  'name',
  'rule',
  'dataset',
  'query',
  'queryFile',
  'logGroups',
  'start',
  'end',
  'limit',
  'noRowCap',
  'expect',
]);
const ROWS_KEYS = new Set([
  'columns',
  'rows',
  'ordered',
  'numericTolerance',
  'toleranceFields',
  'subset',
  'rowCount',
  'minRows',
  'absentFields',
  'topPerGroup',
  'ptr',
  'truncated',
  'warnings',
  'statistics',
  'columnSums',
  'eachRow',
]);
const ERROR_KEYS = new Set(['error', 'errorIncludes']);
const TAG_RE = /\[(Doc|Doc-old|Doc-ex|API|Obs)\]|unconfirmed/;
const SECTION_RE = /§\d+(\.\d+)?|O\d+|mission/;

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Structural problems of one case file (the schema check that runs without an engine). */
export function validateCaseFile(path: string): string[] {
  const problems: string[] = [];
  let data: CaseFile;
  try {
    data = readCaseFile(path);
  } catch (e) {
    return [`${path}: invalid JSON: ${(e as Error).message}`];
  }
  if (typeof data.description !== 'string' || !data.description) problems.push(`${path}: needs a description`);
  if (!Array.isArray(data.cases) || data.cases.length === 0)
    return [...problems, `${path}: needs a non-empty cases array`];
  const names = new Set<string>();
  data.cases.forEach((c, i) => {
    const at = `${relative(CASES_DIR, path)} case ${i} (${c?.name ?? 'unnamed'})`;
    if (typeof c !== 'object' || c === null) {
      problems.push(`${at}: not an object`);
      return;
    }
    for (const k of Object.keys(c)) if (!CASE_KEYS.has(k)) problems.push(`${at}: unknown key ${k}`);
    if (typeof c.name !== 'string' || !c.name) problems.push(`${at}: needs a name`);
    else if (names.has(c.name)) problems.push(`${at}: duplicate name`);
    else names.add(c.name);
    if (typeof c.rule !== 'string' || !TAG_RE.test(c.rule) || !SECTION_RE.test(c.rule)) {
      problems.push(
        `${at}: rule must name a spec section (§n.n, O<n> or mission) and a tag ([Doc], [Doc-ex], [Obs], [API] or unconfirmed)`,
      );
    }
    if (typeof c.dataset !== 'string' || !datasetPath(c.dataset))
      problems.push(`${at}: data set ${c.dataset} not found`);
    const hasQuery = typeof c.query === 'string' || isStringArray(c.query);
    const hasFile = typeof c.queryFile === 'string';
    if (hasQuery === hasFile) problems.push(`${at}: needs exactly one of query or queryFile`);
    if (hasFile && !existsSync(join(REPO_ROOT, c.queryFile as string)))
      problems.push(`${at}: queryFile ${c.queryFile} not found`);
    if (c.logGroups !== undefined && !isStringArray(c.logGroups)) problems.push(`${at}: logGroups must be strings`);
    for (const k of ['start', 'end'] as const) {
      if (c[k] !== undefined) {
        try {
          toMillis(c[k], at);
        } catch (e) {
          problems.push((e as Error).message);
        }
      }
    }
    if (c.limit !== undefined && (!Number.isInteger(c.limit) || c.limit < 1))
      problems.push(`${at}: limit must be a positive integer`);
    if (c.noRowCap !== undefined && typeof c.noRowCap !== 'boolean')
      problems.push(`${at}: noRowCap must be true or false`);
    const e = c.expect;
    if (typeof e !== 'object' || e === null) {
      problems.push(`${at}: needs expect`);
      return;
    }
    if (isErrorExpectation(e)) {
      for (const k of Object.keys(e))
        if (!ERROR_KEYS.has(k)) problems.push(`${at}: unknown error-expectation key ${k}`);
      return;
    }
    for (const k of Object.keys(e)) if (!ROWS_KEYS.has(k)) problems.push(`${at}: unknown expect key ${k}`);
    if (e.rows === undefined && e.rowCount === undefined && e.minRows === undefined)
      problems.push(`${at}: expect needs rows, rowCount or minRows`);
    if (e.rows !== undefined) {
      if (!Array.isArray(e.rows)) problems.push(`${at}: rows must be an array`);
      else
        e.rows.forEach((r, j) => {
          if (typeof r !== 'object' || r === null || Array.isArray(r)) {
            problems.push(`${at}: row ${j} must be an object`);
            return;
          }
          for (const [k, v] of Object.entries(r)) {
            if (typeof v !== 'string')
              problems.push(`${at}: row ${j} field ${k}: values are strings exactly as CloudWatch prints them`);
            if (k === '@ptr') problems.push(`${at}: row ${j}: @ptr values are opaque; use expect.ptr`);
          }
        });
      if (e.ordered === undefined) problems.push(`${at}: rows need ordered: true|false`);
    }
    if (e.columns !== undefined && !isStringArray(e.columns)) problems.push(`${at}: columns must be strings`);
    if (e.toleranceFields !== undefined && !isStringArray(e.toleranceFields))
      problems.push(`${at}: toleranceFields must be strings`);
    if (e.absentFields !== undefined && !isStringArray(e.absentFields))
      problems.push(`${at}: absentFields must be strings`);
    if (e.ptr !== undefined && e.ptr !== 'last' && e.ptr !== 'absent')
      problems.push(`${at}: ptr must be last or absent`);
    if (e.numericTolerance !== undefined && !(typeof e.numericTolerance === 'number' && e.numericTolerance >= 0))
      problems.push(`${at}: numericTolerance must be a number >= 0`);
    if (
      e.eachRow !== undefined &&
      (typeof e.eachRow !== 'object' || Object.values(e.eachRow).some((v) => typeof v !== 'string'))
    )
      problems.push(`${at}: eachRow maps fields to value strings`);
    if (
      e.columnSums !== undefined &&
      (typeof e.columnSums !== 'object' || Object.values(e.columnSums).some((v) => typeof v !== 'number'))
    )
      problems.push(`${at}: columnSums maps fields to numbers`);
    if (
      e.statistics !== undefined &&
      (typeof e.statistics !== 'object' ||
        Object.entries(e.statistics).some(
          ([k, v]) => !['recordsMatched', 'recordsScanned', 'logGroupsScanned'].includes(k) || typeof v !== 'number',
        ))
    ) {
      problems.push(`${at}: statistics holds recordsMatched, recordsScanned or logGroupsScanned numbers`);
    }
    if (
      e.warnings !== undefined &&
      (!Array.isArray(e.warnings) ||
        e.warnings.some((w) => typeof w !== 'object' || (w.code === undefined && w.includes === undefined)))
    ) {
      problems.push(`${at}: each warning needs a code or includes`);
    }
  });
  return problems;
}
