import type { Operation } from './context.js';
import { invalidParameter, limitExceeded, resourceNotFound } from './errors.js';
import { filterPatternRegexCount, isFieldReference, parseFilterPattern, type FilterPattern } from './filterPattern.js';
import { requireGroup } from './groups.js';
import { RequestMatcher } from './requestMatcher.js';
import type { MetricTransformation } from './metricFilterStore.js';
import { decodeToken, encodeToken, isOffset } from './tokens.js';
import { GROUP_RULE, Input, METRIC_NAME, checkString, constraintError, typeError } from './validate.js';
import { isBiError } from '../util/errors.js';

/** PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter, TestMetricFilter. */

export const MAX_FILTERS_PER_GROUP = 100;
export const MAX_DIMENSIONS = 3;
export const MAX_REGEX_FILTERS_PER_GROUP = 5;
export const STANDARD_UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
];
const FILTER_NAME_RULE = { min: 1, max: 512, pattern: /^[^:*]*$/, patternText: '[^:*]*' };

function compile(text: string): FilterPattern {
  try {
    return parseFilterPattern(text);
  } catch (e) {
    if (isBiError(e)) throw invalidParameter(`Invalid metric filter pattern: ${e.message}`);
    throw e;
  }
}

/** A field reference must be one the pattern can produce: `$.x` needs a JSON pattern, `$name` a space-delimited field. */
function checkReference(what: string, ref: string, p: FilterPattern): void {
  if (!isFieldReference(ref))
    throw invalidParameter(
      `Invalid ${what}: ${ref} is neither a number nor a field reference such as $.field or $name.`,
    );
  if (ref.startsWith('$.') || ref.startsWith('$[')) {
    if (p.kind !== 'json')
      throw invalidParameter(
        `Invalid ${what}: ${ref} refers to a JSON field; it needs a JSON filter pattern such as { ${ref} = * }.`,
      );
    return;
  }
  if (p.kind !== 'delimited')
    throw invalidParameter(
      `Invalid ${what}: ${ref} refers to a space-delimited field; it needs a pattern such as [..., ${ref.slice(1)}].`,
    );
  const names = p.items.flatMap((i) => (i.kind === 'field' ? [`$${i.name ?? i.position}`] : []));
  if (!names.includes(ref))
    throw invalidParameter(`Invalid ${what}: ${ref} is not a field of the pattern (${names.join(', ') || 'none'}).`);
}

function readTransformation(raw: unknown, p: FilterPattern): MetricTransformation {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw typeError('metricTransformations.1.member', 'an object', raw);
  const t = new Input(raw as Record<string, unknown>);
  const metricName = checkString('metricTransformations.1.member.metricName', t.body.metricName, {
    required: true,
    max: 255,
    pattern: METRIC_NAME,
    patternText: '[^:*$]*',
  })!;
  const metricNamespace = checkString('metricTransformations.1.member.metricNamespace', t.body.metricNamespace, {
    required: true,
    max: 255,
    pattern: METRIC_NAME,
    patternText: '[^:*$]*',
  })!;
  const metricValue = checkString('metricTransformations.1.member.metricValue', t.body.metricValue, {
    required: true,
    max: 100,
  })!.trim();
  const defaultValue = t.num('defaultValue');
  const unit = t.str('unit');
  if (unit !== undefined && !STANDARD_UNITS.includes(unit))
    throw constraintError(
      'metricTransformations.1.member.unit',
      unit,
      `Member must satisfy enum value set: [${STANDARD_UNITS.join(', ')}]`,
    );
  const dims = t.obj('dimensions');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(metricValue)) checkReference('metric value', metricValue, p);
  const out: MetricTransformation = { metricName, metricNamespace, metricValue };
  if (dims && Object.keys(dims).length > 0) {
    if (defaultValue !== undefined)
      throw invalidParameter(
        'Invalid metric transformation: dimensions and default value are mutually exclusive properties',
      );
    if (Object.keys(dims).length > MAX_DIMENSIONS)
      throw invalidParameter(`Invalid metric transformation: at most ${MAX_DIMENSIONS} dimensions are allowed.`);
    if (p.kind !== 'json' && p.kind !== 'delimited')
      throw invalidParameter(
        'Invalid metric transformation: dimensions need a JSON or space-delimited filter pattern.',
      );
    const d: Record<string, string> = {};
    for (const [k, v] of Object.entries(dims)) {
      if (!k || k.length > 255)
        throw invalidParameter('Invalid metric transformation: a dimension name is 1 to 255 characters.');
      if (typeof v !== 'string') throw typeError(`metricTransformations.1.member.dimensions.${k}`, 'a string', v);
      checkReference(`dimension ${k}`, v.trim(), p);
      d[k] = v.trim();
    }
    out.dimensions = d;
  }
  if (defaultValue !== undefined) out.defaultValue = defaultValue;
  if (unit !== undefined) out.unit = unit;
  return out;
}

export const putMetricFilter: Operation = async (call, body) => {
  const input = new Input(body);
  const group = input.str('logGroupName', { ...GROUP_RULE, required: true });
  const filterName = input.str('filterName', { ...FILTER_NAME_RULE, required: true });
  const filterPattern = input.str('filterPattern', { required: true, max: 1024 });
  const list = input.list('metricTransformations', { required: true, min: 1, max: 1 })!;
  const apply = input.bool('applyOnTransformedLogs') ?? false;
  const fsc = input.str('fieldSelectionCriteria', { max: 2000 });
  const emit = input.strList('emitSystemFieldDimensions');
  const p = compile(filterPattern);
  const transformation = readTransformation(list[0], p);
  const { db, metricFilters } = call.shared;
  await db.write(async () => {
    await requireGroup(db, group);
    const existing = await metricFilters.list({ logGroupName: group });
    const prior = existing.find((f) => f.filterName === filterName);
    if (!prior && existing.length >= MAX_FILTERS_PER_GROUP)
      throw limitExceeded(
        `Resource limit exceeded: a log group can have at most ${MAX_FILTERS_PER_GROUP} metric filters.`,
      );
    if (filterPatternRegexCount(filterPattern) > 0) {
      const withRegex = existing.filter(
        (f) => f.filterName !== filterName && filterPatternRegexCount(f.filterPattern) > 0,
      ).length;
      if (withRegex >= MAX_REGEX_FILTERS_PER_GROUP)
        throw limitExceeded(
          `Resource limit exceeded: a log group can have at most ${MAX_REGEX_FILTERS_PER_GROUP} metric filters whose pattern uses a regular expression.`,
        );
    }
    await metricFilters.put({
      logGroupName: group,
      filterName,
      filterPattern,
      metricTransformations: [transformation],
      creationTime: prior?.creationTime ?? call.shared.now(),
      applyOnTransformedLogs: apply,
      ...(fsc !== undefined ? { fieldSelectionCriteria: fsc } : {}),
      ...(emit ? { emitSystemFieldDimensions: emit } : {}),
    });
  });
  return null;
};

export const describeMetricFilters: Operation = async (call, body) => {
  const input = new Input(body);
  const group = input.str('logGroupName', GROUP_RULE);
  const prefix = input.str('filterNamePrefix', FILTER_NAME_RULE);
  const metricName = input.str('metricName', { max: 255, pattern: METRIC_NAME, patternText: '[^:*$]*' });
  const metricNamespace = input.str('metricNamespace', { max: 255, pattern: METRIC_NAME, patternText: '[^:*$]*' });
  const limit = input.int('limit', { min: 1, max: 50 }) ?? 50;
  const offset = decodeToken('dmf', input.str('nextToken', { min: 1 }), isOffset) ?? 0;
  if (prefix !== undefined && group === undefined)
    throw invalidParameter('filterNamePrefix is only valid together with logGroupName.');
  if ((metricName === undefined) !== (metricNamespace === undefined))
    throw invalidParameter('metricName and metricNamespace must be given together.');
  const { db, metricFilters } = call.shared;
  if (group !== undefined) await requireGroup(db, group);
  const all = await metricFilters.list({
    ...(group !== undefined ? { logGroupName: group } : {}),
    ...(prefix !== undefined ? { filterNamePrefix: prefix } : {}),
    ...(metricName !== undefined ? { metricName, metricNamespace: metricNamespace! } : {}),
  });
  const page = all.slice(offset, offset + limit);
  const out: Record<string, unknown> = { metricFilters: page };
  if (offset + limit < all.length) out.nextToken = encodeToken('dmf', offset + limit);
  return out;
};

export const deleteMetricFilter: Operation = async (call, body) => {
  const input = new Input(body);
  const group = input.str('logGroupName', { ...GROUP_RULE, required: true });
  const filterName = input.str('filterName', { ...FILTER_NAME_RULE, required: true });
  const { db, metricFilters } = call.shared;
  await db.write(async () => {
    await requireGroup(db, group);
    if (!(await metricFilters.delete(group, filterName)))
      throw resourceNotFound('The specified metric filter does not exist.');
  });
  return null;
};

export const testMetricFilter: Operation = async (call, body) => {
  const input = new Input(body);
  const filterPattern = input.str('filterPattern', { required: true, max: 1024 });
  const messages = input
    .list('logEventMessages', { required: true, min: 1, max: 50 })!
    .map((m, i) => checkString(`logEventMessages.${i + 1}.member`, m, { required: true, min: 1, secret: true })!);
  const p = compile(filterPattern);
  const found = await new RequestMatcher(call, filterPattern, p).all(messages);
  return {
    matches: found.map((m) => ({
      eventNumber: m.index + 1,
      eventMessage: messages[m.index],
      extractedValues: m.extractedValues,
    })),
  };
};
