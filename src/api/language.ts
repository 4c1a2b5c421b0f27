/**
 * Command and function names for the console's autocompletion and highlighting.
 *
 * Commands come from src/insights/keywords.ts. Functions: when src/insights/functions.ts exports
 * its catalog, `languageCatalog()` prefers it (loaded dynamically so that this file keeps compiling
 * while it is being written); until then it serves the fallback list below (spec section 5).
 */
import { COMMAND_KEYWORDS, CLAUSE_KEYWORDS } from '../insights/keywords.js';

export interface LanguageCatalog {
  commands: { name: string; syntax: string; tier: number }[];
  functions: { name: string; kind: 'aggregate' | 'scalar'; detail?: string }[];
  keywords: string[];
  source: 'insights' | 'fallback';
}

const FALLBACK_AGGREGATES = [
  'count',
  'count_distinct',
  'sum',
  'avg',
  'min',
  'max',
  'pct',
  'stddev',
  'values',
  'earliest',
  'latest',
  'sortsFirst',
  'sortsLast',
  'rate',
  'countOverTime',
  'sumOverTime',
  'histogram',
];

const FALLBACK_SCALARS = [
  'abs',
  'ceil',
  'floor',
  'sqrt',
  'log',
  'greatest',
  'least',
  'round',
  'haversine',
  'toNumber',
  'toDouble',
  'toInt',
  'toLong',
  'ispresent',
  'coalesce',
  'if',
  'case',
  'isNumeric',
  'messageSize',
  'queryStartTime',
  'queryEndTime',
  'queryTimeRange',
  'isempty',
  'isblank',
  'concat',
  'ltrim',
  'rtrim',
  'trim',
  'strlen',
  'toupper',
  'tolower',
  'substr',
  'replace',
  'regexReplace',
  'strcontains',
  'startsWith',
  'endsWith',
  'split',
  'urlencode',
  'urldecode',
  'base64encode',
  'base64decode',
  'hexToAscii',
  'hexToDec',
  'decToHex',
  'bin',
  'datefloor',
  'dateceil',
  'fromMillis',
  'toMillis',
  'now',
  'parseDate',
  'formatDate',
  'strftime',
  'isValidIp',
  'isValidIpV4',
  'isValidIpV6',
  'isIpInSubnet',
  'isIpv4InSubnet',
  'isIpv6InSubnet',
  'ipv4ToNumber',
  'isPrivateIP',
  'isPublicIP',
  'isReservedIP',
  'jsonParse',
  'jsonStringify',
  'jsonArraySize',
  'jsonArrayContains',
  'md5',
  'sha256',
];

const KEYWORDS = [...CLAUSE_KEYWORDS];

function fallback(): LanguageCatalog {
  return {
    commands: COMMAND_KEYWORDS.filter((k) => !k.deprecated).map((k) => ({
      name: k.name,
      syntax: k.syntax,
      tier: k.tier,
    })),
    functions: [
      ...FALLBACK_AGGREGATES.map((name) => ({ name, kind: 'aggregate' as const })),
      ...FALLBACK_SCALARS.map((name) => ({ name, kind: 'scalar' as const })),
    ],
    keywords: KEYWORDS,
    source: 'fallback',
  };
}

/** Pull string names out of whatever shape a catalog module exports (array of names or of {name}). */
function namesOf(v: unknown): string[] {
  const out: string[] = [];
  const visit = (x: unknown): void => {
    if (typeof x === 'string') out.push(x);
    else if (Array.isArray(x)) x.forEach(visit);
    else if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      if (typeof o.name === 'string') out.push(o.name);
      else Object.values(o).forEach(visit);
    }
  };
  visit(v);
  return out;
}

let cached: LanguageCatalog | undefined;

export async function languageCatalog(): Promise<LanguageCatalog> {
  if (cached) return cached;
  const base = fallback();
  try {
    // Dynamic specifiers so TypeScript does not require the modules to exist yet.
    const fnPath = './../insights/functions.js';
    const fn = (await import(fnPath).catch(() => undefined)) as Record<string, unknown> | undefined;
    const fnTable = fn ? (fn.FUNCTIONS ?? fn.functions ?? fn.FUNCTION_CATALOG) : undefined;
    const functions: LanguageCatalog['functions'] = [];
    if (fnTable && typeof fnTable === 'object') {
      const entries: unknown[] = Array.isArray(fnTable)
        ? fnTable
        : Object.entries(fnTable as Record<string, unknown>).map(([k, v]) => ({
            ...(v as object),
            name: (v as { name?: string }).name ?? k,
          }));
      for (const e of entries) {
        const o = e as { name?: unknown; aggregate?: unknown; kind?: unknown; aliases?: unknown };
        if (typeof o.name !== 'string') continue;
        const kind = o.aggregate === true || o.kind === 'aggregate' ? 'aggregate' : 'scalar';
        functions.push({ name: o.name, kind });
        for (const a of namesOf(o.aliases)) functions.push({ name: a, kind });
      }
    }
    cached = {
      commands: base.commands,
      functions: functions.length ? functions : base.functions,
      keywords: base.keywords,
      source: functions.length ? 'insights' : 'fallback',
    };
  } catch {
    cached = base;
  }
  return cached;
}
