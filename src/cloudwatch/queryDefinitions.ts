import { cloudWatchName, splitCloudWatchName, type QueryParameter, type SavedQuery } from '../workspace/definitions.js';
import type { Operation } from './context.js';
import { invalidParameter, resourceNotFound } from './errors.js';
import { decodeToken, encodeToken, isOffset } from './tokens.js';
import { GROUP_RULE, Input, checkString, constraintError, typeError } from './validate.js';

/**
 * Put/Describe/DeleteQueryDefinition over the console's saved queries (src/workspace/definitions.ts):
 * one store, two views. CloudWatch spells the folder into the name ("folder/name").
 */

const clientTokens = new Map<string, { id: string; at: number }>();
const CLIENT_TOKEN_TTL_MS = 24 * 3600_000;

function readParameters(raw: unknown[] | undefined): QueryParameter[] | undefined {
  if (!raw) return undefined;
  return raw.map((p, i) => {
    if (!p || typeof p !== 'object' || Array.isArray(p)) throw typeError(`parameters.${i + 1}.member`, 'an object', p);
    const r = p as Record<string, unknown>;
    const name = checkString(`parameters.${i + 1}.member.name`, r.name, {
      required: true,
      min: 1,
      max: 128,
      pattern: /^[a-zA-Z_][a-zA-Z0-9_]*$/,
      patternText: '^[a-zA-Z_][a-zA-Z0-9_]*$',
    })!;
    const defaultValue = checkString(`parameters.${i + 1}.member.defaultValue`, r.defaultValue, { max: 1024 });
    const description = checkString(`parameters.${i + 1}.member.description`, r.description, { max: 512 });
    return {
      name,
      ...(defaultValue !== undefined ? { defaultValue } : {}),
      ...(description !== undefined ? { description } : {}),
    };
  });
}

export const putQueryDefinition: Operation = async (call, body) => {
  const input = new Input(body);
  const lang = input.str('queryLanguage');
  if (lang !== undefined && lang !== 'CWLI') {
    if (!['SQL', 'PPL'].includes(lang))
      throw constraintError('queryLanguage', lang, 'Member must satisfy enum value set: [CWLI, SQL, PPL]');
    throw invalidParameter(`Query language ${lang} is not supported by this server; use CWLI.`);
  }
  const fullName = input.str('name', { required: true, min: 1, max: 255 });
  const queryString = input.str('queryString', { required: true, min: 1, max: 10_000 });
  const id = input.str('queryDefinitionId', { min: 1, max: 256 });
  const logGroups = input.strList('logGroupNames', { item: GROUP_RULE }) ?? [];
  const clientToken = input.str('clientToken', {
    min: 36,
    max: 128,
    pattern: /^\S{36,128}$/,
    patternText: '\\S{36,128}',
  });
  const parameters = readParameters(input.list('parameters', { max: 20 })) ?? [];
  const { definitions } = call.shared;
  const now = call.shared.now();
  if (clientToken !== undefined) {
    for (const [k, v] of clientTokens) if (now - v.at > CLIENT_TOKEN_TTL_MS) clientTokens.delete(k);
    const seen = clientTokens.get(clientToken);
    if (seen && definitions.getSavedQuery(seen.id)) return { queryDefinitionId: seen.id };
  }
  const { folder, name } = splitCloudWatchName(fullName);
  let saved: SavedQuery;
  if (id !== undefined) {
    if (!definitions.getSavedQuery(id)) throw resourceNotFound(`Query definition ${id} does not exist.`);
    // An update replaces the definition: omitted log groups and parameters become empty.
    saved = await definitions.updateSavedQuery(id, { name, folder, queryString, logGroups, parameters });
  } else {
    saved = await definitions.createSavedQuery({ name, folder, queryString, logGroups, parameters });
  }
  if (clientToken !== undefined) clientTokens.set(clientToken, { id: saved.id, at: now });
  return { queryDefinitionId: saved.id };
};

export const describeQueryDefinitions: Operation = async (call, body) => {
  const input = new Input(body);
  const prefix = input.str('queryDefinitionNamePrefix', { min: 1, max: 255 });
  const maxResults = input.int('maxResults', { min: 1, max: 1000 }) ?? 1000;
  const lang = input.str('queryLanguage');
  if (lang !== undefined && !['CWLI', 'SQL', 'PPL'].includes(lang))
    throw constraintError('queryLanguage', lang, 'Member must satisfy enum value set: [CWLI, SQL, PPL]');
  const offset = decodeToken('dqd', input.str('nextToken', { min: 1 }), isOffset) ?? 0;
  const all = call.shared.definitions
    .listSavedQueries()
    .map((q) => ({ q, full: cloudWatchName(q) }))
    .filter(({ full }) => prefix === undefined || full.startsWith(prefix))
    .filter(() => lang === undefined || lang === 'CWLI')
    .sort((a, b) => (a.full < b.full ? -1 : a.full > b.full ? 1 : a.q.id < b.q.id ? -1 : 1));
  const page = all.slice(offset, offset + maxResults);
  const out: Record<string, unknown> = {
    queryDefinitions: page.map(({ q, full }) => {
      const d: Record<string, unknown> = {
        queryLanguage: 'CWLI',
        queryDefinitionId: q.id,
        name: full,
        queryString: q.queryString,
        lastModified: q.updatedTime,
        logGroupNames: q.logGroups,
      };
      if (q.parameters.length > 0) d.parameters = q.parameters;
      return d;
    }),
  };
  if (offset + maxResults < all.length) out.nextToken = encodeToken('dqd', offset + maxResults);
  return out;
};

export const deleteQueryDefinition: Operation = async (call, body) => {
  const id = new Input(body).str('queryDefinitionId', { required: true, min: 1, max: 256 });
  if (!(await call.shared.definitions.deleteSavedQuery(id)))
    throw resourceNotFound(`Query definition ${id} does not exist.`);
  return { success: true };
};
