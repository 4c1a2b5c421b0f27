// The alarm form's model: every input is text keyed by the definition path it edits
// (`query.queryString`, `metric.filters.0.metricValue`), turned into the definition JSON the
// server validates. The server is the one validator (ALARM_INVALID names each field's path), so
// text that is not a number is sent as text and its error is shown beside the field.

export type AlarmKind = 'metric' | 'query' | 'budget' | 'anomaly';
export const KINDS: AlarmKind[] = ['metric', 'query', 'budget', 'anomaly'];

export type FieldType = 'text' | 'textarea' | 'number' | 'list' | 'numlist' | 'map' | 'nummap' | 'select' | 'bool';

export interface FieldSpec {
  path: string;
  label: string;
  type: FieldType;
  options?: readonly (string | [string, string])[];
  placeholder?: string;
  help?: string;
  /** Takes the whole row of the form's grid. */
  wide?: boolean;
}

/** Names of the comparison operators, as CloudWatch's console says them. */
export const OPERATORS: [string, string][] = [
  ['GreaterThanThreshold', '> threshold'],
  ['GreaterThanOrEqualToThreshold', '≥ threshold'],
  ['LessThanThreshold', '< threshold'],
  ['LessThanOrEqualToThreshold', '≤ threshold'],
  ['GreaterThanUpperThreshold', 'above the band'],
  ['LessThanLowerThreshold', 'below the band'],
  ['LessThanLowerOrGreaterThanUpperThreshold', 'outside the band'],
];

export const PERIODS: [string, string][] = [
  ['60', '1 minute'],
  ['300', '5 minutes'],
  ['900', '15 minutes'],
  ['3600', '1 hour'],
  ['21600', '6 hours'],
  ['86400', '1 day'],
];

export const COMMON_FIELDS: FieldSpec[] = [
  { path: 'description', label: 'Description', type: 'text', wide: true },
  { path: 'period', label: 'Period', type: 'select', options: PERIODS },
  { path: 'comparisonOperator', label: 'Fires when the value is', type: 'select', options: OPERATORS },
  { path: 'threshold', label: 'Threshold', type: 'number' },
  { path: 'evaluationPeriods', label: 'Evaluation periods (N)', type: 'number' },
  { path: 'datapointsToAlarm', label: 'Datapoints to alarm (M of N)', type: 'number', placeholder: 'N' },
  {
    path: 'treatMissingData',
    label: 'Missing data',
    type: 'select',
    options: [
      ['missing', 'missing (insufficient data)'],
      ['notBreaching', 'not breaching'],
      ['breaching', 'breaching'],
      ['ignore', 'ignore (keep the state)'],
    ],
  },
  { path: 'evaluationDelay', label: 'Evaluation delay (s)', type: 'number', help: 'Log delivery delay' },
  { path: 'reminderEvery', label: 'Remind every (s) while in ALARM', type: 'number', placeholder: 'never' },
];

export const KIND_FIELDS: Record<AlarmKind, FieldSpec[]> = {
  metric: [
    { path: 'metric.namespace', label: 'Metric namespace', type: 'text', placeholder: 'Bedrock/Usage' },
    { path: 'metric.name', label: 'Metric name', type: 'text' },
    {
      path: 'metric.statistic',
      label: 'Statistic',
      type: 'text',
      placeholder: 'Sum',
      help: 'Sum, Average, SampleCount, Minimum, Maximum or pNN',
    },
    {
      path: 'metric.perDimension',
      label: 'One series per value of',
      type: 'list',
      placeholder: 'ApplicationName',
      help: 'Dimension names, comma-separated',
    },
    {
      path: 'metric.dimensions',
      label: 'Or one dimension set',
      type: 'map',
      placeholder: 'ApplicationName=HRPortalApp',
      help: 'One Name=value per line',
    },
  ],
  query: [
    {
      path: 'query.queryString',
      label: 'Logs Insights query',
      type: 'textarea',
      wide: true,
      placeholder:
        'stats sum(input.inputTokenCount + output.outputTokenCount) as tokens by requestMetadata.application_name',
    },
    { path: 'query.column', label: 'Column compared with the threshold', type: 'text', placeholder: 'tokens' },
    {
      path: 'query.keyColumns',
      label: 'Columns naming a series',
      type: 'list',
      placeholder: 'every other column',
    },
    { path: 'query.logGroups', label: 'Log groups', type: 'list', placeholder: 'every log group' },
    { path: 'query.window', label: 'Window (s)', type: 'number', placeholder: 'the period' },
  ],
  budget: [
    {
      path: 'budget.owner',
      label: 'Owner field',
      type: 'text',
      placeholder: 'requestMetadata.cost_center',
    },
    {
      path: 'budget.budgets',
      label: 'Monthly budgets (USD)',
      type: 'nummap',
      placeholder: 'CS-123=500',
      help: 'One owner=amount per line',
    },
    { path: 'budget.defaultBudget', label: 'Budget of other owners (USD)', type: 'number', placeholder: 'not watched' },
    { path: 'budget.thresholds', label: 'Alarm at % of the budget', type: 'numlist', placeholder: '50, 80, 100' },
    { path: 'budget.forecast', label: 'Also when the month-end forecast exceeds the budget', type: 'bool' },
    { path: 'budget.logGroups', label: 'Log groups', type: 'list', placeholder: 'every log group' },
  ],
  anomaly: [
    {
      path: 'anomaly.metric',
      label: 'Metric',
      type: 'select',
      options: ['tokens', 'inputTokens', 'outputTokens', 'requests', 'cost'],
    },
    { path: 'anomaly.groupBy', label: 'One band per value of', type: 'text', placeholder: 'requestMetadata.tenant_id' },
    { path: 'anomaly.band', label: 'Band width (robust σ)', type: 'number', placeholder: '6' },
    { path: 'anomaly.trainingDays', label: 'Training days', type: 'number', placeholder: '14' },
    { path: 'anomaly.minValue', label: 'Never alarm below', type: 'number', placeholder: '0' },
    { path: 'anomaly.logGroups', label: 'Log groups', type: 'list', placeholder: 'every log group' },
  ],
};

/** The inputs of one metric filter (metric alarms), under `metric.filters.<i>.`. */
export const FILTER_FIELDS: FieldSpec[] = [
  {
    path: 'filterPattern',
    label: 'Filter pattern',
    type: 'text',
    placeholder: '{ $.input.inputTokenCount >= 0 }',
    wide: true,
  },
  { path: 'metricValue', label: 'Metric value', type: 'text', placeholder: '$.input.inputTokenCount' },
  {
    path: 'dimensions',
    label: 'Dimensions',
    type: 'map',
    placeholder: 'ApplicationName=$.requestMetadata.application_name',
    wide: true,
    help: 'One Name=$.field per line',
  },
  { path: 'logGroupName', label: 'Log group', type: 'text', placeholder: 'every log group' },
  { path: 'defaultValue', label: 'Default value', type: 'number' },
];

export const TARGET_TYPES = ['email', 'webhook', 'slack', 'sns'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];
/** The property a target's one input edits. */
export const TARGET_KEY: Record<TargetType, string> = { email: 'to', webhook: 'url', slack: 'url', sns: 'topicArn' };

/** One notification target row: its type, the text of its address, and the object it came from (other options kept). */
export interface TargetDraft {
  type: TargetType;
  address: string;
  original?: Record<string, unknown>;
}

export interface Draft {
  kind: AlarmKind;
  name: string;
  enabled: boolean;
  /** path -> input text. */
  text: Record<string, string>;
  filters: number;
  notify: TargetDraft[];
  /** The definition as loaded (fields the form does not show are kept). */
  base: Record<string, unknown>;
}

type Json = Record<string, unknown>;

function getPath(o: unknown, path: string): unknown {
  let cur = o;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Json)[k];
  }
  return cur;
}

function setPath(o: Json, path: string, v: unknown): void {
  const keys = path.split('.');
  let cur: Json | unknown[] = o;
  keys.slice(0, -1).forEach((k, i) => {
    const c = cur as Json;
    if (c[k] === null || typeof c[k] !== 'object') c[k] = /^\d+$/.test(keys[i + 1]) ? [] : {};
    cur = c[k] as Json;
  });
  const last = keys[keys.length - 1];
  if (v === undefined) delete cur[last];
  else cur[last] = v;
}

function toText(spec: FieldSpec, v: unknown): string {
  if (v === undefined || v === null) return '';
  switch (spec.type) {
    case 'list':
    case 'numlist':
      return Array.isArray(v) ? v.join(', ') : String(v);
    case 'map':
    case 'nummap':
      return typeof v === 'object'
        ? Object.entries(v as Json)
            .map(([k, x]) => `${k}=${String(x)}`)
            .join('\n')
        : String(v);
    case 'bool':
      return v ? 'true' : 'false';
    default:
      return String(v);
  }
}

/** Text that is a number becomes one; other text is sent as is, for the server to name the field. */
function numberOf(t: string): number | string {
  const n = Number(t.replace(/,/g, ''));
  return t.trim() !== '' && Number.isFinite(n) ? n : t;
}

function fromText(spec: FieldSpec, t: string): unknown {
  if (spec.type === 'bool') return t === 'true';
  if (t.trim() === '') return undefined;
  switch (spec.type) {
    case 'number':
      return numberOf(t.trim());
    case 'list':
      return t
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    case 'numlist':
      return t
        .split(/[,\s]+/)
        .filter(Boolean)
        .map((x) => numberOf(x.replace(/%$/, '')));
    case 'map':
    case 'nummap': {
      const out: Json = {};
      for (const line of t.split('\n')) {
        if (!line.trim()) continue;
        const i = line.indexOf('=');
        const k = (i < 0 ? line : line.slice(0, i)).trim();
        const v = i < 0 ? '' : line.slice(i + 1).trim();
        out[k] = spec.type === 'nummap' ? numberOf(v) : v;
      }
      return out;
    }
    case 'select':
      return spec.path === 'period' ? numberOf(t) : t;
    default:
      return t;
  }
}

const DEFAULTS: Record<AlarmKind, Json> = {
  metric: {
    metric: {
      namespace: 'Bedrock/Usage',
      name: 'TokensPerApplication',
      statistic: 'Sum',
      perDimension: ['ApplicationName'],
      filters: [
        {
          filterPattern: '{ $.input.inputTokenCount >= 0 }',
          metricValue: '$.input.inputTokenCount',
          dimensions: { ApplicationName: '$.requestMetadata.application_name' },
        },
      ],
    },
    treatMissingData: 'notBreaching',
  },
  query: {
    query: {
      queryString:
        'stats sum(input.inputTokenCount + output.outputTokenCount) as tokens by requestMetadata.application_name',
      column: 'tokens',
    },
    treatMissingData: 'notBreaching',
  },
  budget: {
    budget: {
      owner: 'requestMetadata.cost_center',
      budgets: {},
      defaultBudget: 500,
      thresholds: [50, 80, 100],
      forecast: true,
    },
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'notBreaching',
  },
  anomaly: {
    anomaly: { metric: 'tokens', groupBy: 'requestMetadata.tenant_id', band: 6, trainingDays: 14, minValue: 0 },
    comparisonOperator: 'GreaterThanUpperThreshold',
    treatMissingData: 'notBreaching',
  },
};

const BASE_DEFAULTS: Json = {
  period: 3600,
  evaluationPeriods: 1,
  comparisonOperator: 'GreaterThanThreshold',
  treatMissingData: 'missing',
  evaluationDelay: 300,
};

export function fieldsOf(kind: AlarmKind): FieldSpec[] {
  return [...COMMON_FIELDS, ...KIND_FIELDS[kind]];
}

/** The form's text of a definition (a loaded one, or a new one of `kind`). */
export function draftOf(def: Json | null, kind: AlarmKind = 'query'): Draft {
  const base: Json = def ? structuredClone(def) : { ...BASE_DEFAULTS, ...structuredClone(DEFAULTS[kind]), kind };
  delete base.targets; // the API's summary of the targets, not part of the definition
  const k = (base.kind as AlarmKind) ?? kind;
  const text: Record<string, string> = {};
  for (const spec of [...COMMON_FIELDS, ...KINDS.flatMap((x) => KIND_FIELDS[x])])
    text[spec.path] = toText(
      spec,
      getPath(base, spec.path) ?? getPath(DEFAULTS[spec.path.split('.')[0] as AlarmKind] ?? {}, spec.path),
    );
  const filters = (getPath(base, 'metric.filters') as Json[] | undefined) ?? [];
  filters.forEach((f, i) => {
    for (const spec of FILTER_FIELDS) text[`metric.filters.${i}.${spec.path}`] = toText(spec, f[spec.path]);
  });
  const notify = ((base.notify as Json[] | undefined) ?? []).map((t): TargetDraft => {
    const type = t.type as TargetType;
    const v = t[TARGET_KEY[type]];
    return { type, address: Array.isArray(v) ? v.join(', ') : String(v ?? ''), original: t };
  });
  return {
    kind: k,
    name: String(base.name ?? ''),
    enabled: base.enabled !== false,
    text,
    filters: filters.length,
    notify,
    base,
  };
}

/** A new draft of another kind, keeping what the kinds share. */
export function withKind(d: Draft, kind: AlarmKind): Draft {
  const fresh = draftOf(null, kind);
  const text = { ...fresh.text };
  for (const spec of COMMON_FIELDS) text[spec.path] = d.text[spec.path] ?? '';
  // Operators and missing-data treatment that suit the new kind.
  for (const p of ['comparisonOperator', 'treatMissingData']) text[p] = fresh.text[p];
  return {
    ...fresh,
    name: d.name,
    enabled: d.enabled,
    text,
    notify: d.notify,
    filters: kind === 'metric' ? fresh.filters : 0,
  };
}

function targetOf(t: TargetDraft): Json {
  const key = TARGET_KEY[t.type];
  const value =
    t.type === 'email'
      ? t.address
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : t.address.trim();
  // An unchanged target is sent back exactly as loaded (the server keeps its redacted secrets).
  if (t.original && t.original.type === t.type) {
    const was = t.original[key];
    if ((Array.isArray(was) ? was.join(', ') : String(was ?? '')) === t.address) return t.original;
    return { ...t.original, [key]: value };
  }
  return { type: t.type, [key]: value };
}

/** The definition JSON of the form (what POST /api/alarms and the backtest take). */
export function definitionOf(d: Draft): Json {
  const out: Json = structuredClone(d.base);
  for (const k of KINDS) if (k !== d.kind) delete out[k];
  out.kind = d.kind;
  out.name = d.name;
  out.enabled = d.enabled;
  for (const spec of fieldsOf(d.kind)) setPath(out, spec.path, fromText(spec, d.text[spec.path] ?? ''));
  if (d.kind === 'metric') {
    const was = (getPath(d.base, 'metric.filters') as Json[] | undefined) ?? [];
    const filters: Json[] = [];
    for (let i = 0; i < d.filters; i++) {
      const f: Json = { ...(was[i] ?? {}) };
      for (const spec of FILTER_FIELDS) {
        const v = fromText(spec, d.text[`metric.filters.${i}.${spec.path}`] ?? '');
        if (v === undefined) delete f[spec.path];
        else f[spec.path] = v;
      }
      filters.push(f);
    }
    setPath(out, 'metric.filters', filters);
  }
  out.notify = d.notify.map(targetOf);
  return out;
}

/** The field (a spec path, or a notify row `notify.<i>`) a server problem belongs to; '' when none. */
export function fieldOfProblem(path: string, known: readonly string[]): string {
  let best = '';
  for (const k of known) if ((path === k || path.startsWith(`${k}.`)) && k.length > best.length) best = k;
  return best;
}
