import type { AppendGate } from './appendQueue.js';
import type { Call, Operation } from './context.js';
import { groupArn, streamArn } from './context.js';
import { alreadyExists, invalidParameter, MSG, resourceNotFound } from './errors.js';
import { listLogGroups } from '../store/catalog.js';
import { num, str, type Db } from '../store/db.js';
import { deleteEvents } from '../store/events.js';
import { decodeToken, encodeToken, isName, isOffset } from './tokens.js';
import {
  GROUP_RULE,
  Input,
  LOG_GROUP_IDENTIFIER,
  STREAM_RULE,
  constraintError,
  groupFromIdentifier,
  groupNameOrIdentifier,
} from './validate.js';

/** Log groups and streams: the `log_groups` / `log_streams` catalog tables the writer also keeps. */

/**
 * PutLogEvents' queue writes under the same lock as DeleteLogGroup/DeleteLogStream and re-checks
 * its targets there, so a delete that answered 200 is never undone by events queued before it.
 */
export function catalogGate(db: Db): AppendGate {
  return {
    exclusive: (fn) => db.writes.run(fn),
    async missing(targets) {
      if (targets.length === 0) return [];
      const groups = [...new Set(targets.map((t) => t.group))];
      const ph = groups.map((_, i) => `$${i + 1}`).join(', ');
      const liveGroups = new Set(
        (await db.all(`SELECT name FROM log_groups WHERE name IN (${ph})`, groups)).map((r) => str(r.name)),
      );
      const streams = new Set(
        (await db.all(`SELECT log_group, name FROM log_streams WHERE log_group IN (${ph})`, groups)).map(
          (r) => `${str(r.log_group)}\u0000${str(r.name)}`,
        ),
      );
      return targets.map((t) =>
        !liveGroups.has(t.group)
          ? resourceNotFound(MSG.groupMissing)
          : !streams.has(`${t.group}\u0000${t.stream}`)
            ? resourceNotFound(MSG.streamMissing)
            : null,
      );
    },
  };
}

const LOG_GROUP_CLASSES = ['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY'];

export async function groupExists(db: Db, name: string): Promise<boolean> {
  return (await db.all('SELECT 1 AS x FROM log_groups WHERE name = $1', [name])).length > 0;
}

export async function requireGroup(db: Db, name: string): Promise<void> {
  if (!(await groupExists(db, name))) throw resourceNotFound(MSG.groupMissing);
}

export async function requireStream(db: Db, group: string, stream: string): Promise<void> {
  await requireGroup(db, group);
  const r = await db.all('SELECT 1 AS x FROM log_streams WHERE log_group = $1 AND name = $2', [group, stream]);
  if (r.length === 0) throw resourceNotFound(MSG.streamMissing);
}

export const createLogGroup: Operation = async (call, body) => {
  const input = new Input(body);
  const name = input.str('logGroupName', { ...GROUP_RULE, required: true });
  if (/^aws\//i.test(name)) throw invalidParameter('Log groups starting with AWS/ are reserved for AWS.');
  input.str('kmsKeyId', { max: 256 });
  const cls = input.str('logGroupClass');
  if (cls !== undefined && !LOG_GROUP_CLASSES.includes(cls)) {
    throw constraintError(
      'logGroupClass',
      cls,
      `Member must satisfy enum value set: [${LOG_GROUP_CLASSES.join(', ')}]`,
    );
  }
  const tags = input.obj('tags');
  if (tags && (Object.keys(tags).length < 1 || Object.keys(tags).length > 50))
    throw constraintError(
      'tags',
      `{${Object.keys(tags).length} tags}`,
      'Member must have length less than or equal to 50',
    );
  const { db } = call.shared;
  await db.write(async () => {
    if (await groupExists(db, name)) throw alreadyExists(MSG.groupExists);
    await db.run('INSERT INTO log_groups (name, created_ts, retention_days, generic_events) VALUES ($1, $2, NULL, 0)', [
      name,
      BigInt(call.shared.now()),
    ]);
  });
  return null;
};

export const deleteLogGroup: Operation = async (call, body) => {
  const name = new Input(body).str('logGroupName', { ...GROUP_RULE, required: true });
  const { db } = call.shared;
  await db.write(async () => {
    if (!(await groupExists(db, name))) throw resourceNotFound(MSG.groupMissing);
    await deleteEvents(
      call.shared.store,
      db,
      { logGroup: name },
      { dropCatalog: true, alongside: () => call.shared.metricFilters.deleteGroup(name) },
    );
  });
  return null;
};

export const describeLogGroups: Operation = async (call, body) => {
  const input = new Input(body);
  const prefix = input.str('logGroupNamePrefix', GROUP_RULE);
  const pattern = input.str('logGroupNamePattern', {
    max: 512,
    pattern: /^[.\-_/#A-Za-z0-9]*$/,
    patternText: '[\\.\\-_/#A-Za-z0-9]*',
  });
  const limit = input.int('limit', { min: 1, max: 50 }) ?? 50;
  const cls = input.str('logGroupClass');
  if (cls !== undefined && !LOG_GROUP_CLASSES.includes(cls))
    throw constraintError(
      'logGroupClass',
      cls,
      `Member must satisfy enum value set: [${LOG_GROUP_CLASSES.join(', ')}]`,
    );
  const idents = input.strList('logGroupIdentifiers', {
    min: 1,
    max: 50,
    item: { min: 1, max: 2048, pattern: LOG_GROUP_IDENTIFIER },
  });
  input.bool('includeLinkedAccounts');
  if (prefix !== undefined && pattern !== undefined)
    throw invalidParameter('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
  if (idents && (prefix !== undefined || pattern !== undefined || cls !== undefined))
    throw invalidParameter(
      'When logGroupIdentifiers is specified, the only other parameter allowed is includeLinkedAccounts.',
    );
  const after = decodeToken('dlg', input.str('nextToken', { min: 1 }), isName);

  const where: string[] = [];
  const params: (string | bigint)[] = [];
  if (prefix !== undefined) {
    params.push(prefix);
    where.push(`starts_with(name, $${params.length})`);
  }
  if (pattern !== undefined && pattern !== '') {
    params.push(pattern);
    where.push(`contains(name, $${params.length})`);
  }
  if (after !== undefined) {
    params.push(after);
    where.push(`name > $${params.length}`);
  }
  if (idents) {
    const names = idents.map(groupFromIdentifier);
    where.push(
      `name IN (${names
        .map((n) => {
          params.push(n);
          return `$${params.length}`;
        })
        .join(', ')})`,
    );
  }
  // INFREQUENT_ACCESS / DELIVERY groups are never created here (every group is STANDARD).
  if (cls !== undefined && cls !== 'STANDARD') where.push('false');
  const { db } = call.shared;
  const rows = await db.all(
    `SELECT name, created_ts, retention_days FROM log_groups ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY name LIMIT ${limit + 1}`,
    params,
  );
  const page = rows.slice(0, limit);
  const names = page.map((r) => str(r.name));
  const bytes = new Map<string, number>();
  if (names.length > 0 && pattern === undefined)
    for (const g of await listLogGroups(db, names)) bytes.set(g.name, g.storedBytes);
  const filterCounts = await call.shared.metricFilters.countsByGroup();
  const logGroups = page.map((r) => {
    const name = str(r.name);
    if (pattern !== undefined)
      return { logGroupName: name, creationTime: num(r.created_ts), arn: groupArn(call, name) };
    const g: Record<string, unknown> = {
      logGroupName: name,
      creationTime: num(r.created_ts),
      metricFilterCount: filterCounts.get(name) ?? 0,
      arn: groupArn(call, name),
      storedBytes: bytes.get(name) ?? 0,
      logGroupClass: 'STANDARD',
      logGroupArn: groupArn(call, name, false),
    };
    if (r.retention_days !== null) g.retentionInDays = num(r.retention_days);
    return g;
  });
  const out: Record<string, unknown> = { logGroups };
  if (rows.length > limit) out.nextToken = encodeToken('dlg', names[names.length - 1]);
  return out;
};

export const createLogStream: Operation = async (call, body) => {
  const input = new Input(body);
  const group = input.str('logGroupName', { ...GROUP_RULE, required: true });
  const stream = input.str('logStreamName', { ...STREAM_RULE, required: true });
  const { db } = call.shared;
  await db.write(async () => {
    await requireGroup(db, group);
    const r = await db.all('SELECT 1 AS x FROM log_streams WHERE log_group = $1 AND name = $2', [group, stream]);
    if (r.length > 0) throw alreadyExists(MSG.streamExists);
    await db.run('INSERT INTO log_streams (log_group, name, created_ts) VALUES ($1, $2, $3)', [
      group,
      stream,
      BigInt(call.shared.now()),
    ]);
  });
  return null;
};

export const deleteLogStream: Operation = async (call, body) => {
  const input = new Input(body);
  const group = input.str('logGroupName', { ...GROUP_RULE, required: true });
  const stream = input.str('logStreamName', { ...STREAM_RULE, required: true });
  const { db } = call.shared;
  await db.write(async () => {
    await requireStream(db, group, stream);
    await deleteEvents(call.shared.store, db, { logGroup: group, logStream: stream }, { dropCatalog: true });
  });
  return null;
};

export const describeLogStreams: Operation = async (call, body) => {
  const input = new Input(body);
  const group = groupNameOrIdentifier(input);
  const prefix = input.str('logStreamNamePrefix', STREAM_RULE);
  const orderBy = input.str('orderBy') ?? 'LogStreamName';
  if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime')
    throw constraintError('orderBy', orderBy, 'Member must satisfy enum value set: [LogStreamName, LastEventTime]');
  if (orderBy === 'LastEventTime' && prefix !== undefined)
    throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
  const descending = input.bool('descending') ?? false;
  const limit = input.int('limit', { min: 1, max: 50 }) ?? 50;
  const offset = decodeToken('dls', input.str('nextToken', { min: 1 }), isOffset) ?? 0;
  const { db } = call.shared;
  await requireGroup(db, group);
  const params: string[] = [group];
  let where = 'log_group = $1';
  if (prefix !== undefined) {
    params.push(prefix);
    where += ' AND starts_with(name, $2)';
  }
  const dir = descending ? 'DESC' : 'ASC';
  const order = orderBy === 'LogStreamName' ? `name ${dir}` : `coalesce(last_event_ts, -1) ${dir}, name ${dir}`;
  const rows = await db.all(
    `SELECT name, created_ts, first_event_ts, last_event_ts, last_ingestion_ts FROM log_streams WHERE ${where} ORDER BY ${order} LIMIT ${limit + 1} OFFSET ${offset}`,
    params,
  );
  const logStreams = rows.slice(0, limit).map((r) => {
    const s: Record<string, unknown> = { logStreamName: str(r.name), creationTime: num(r.created_ts) };
    if (r.first_event_ts !== null) s.firstEventTimestamp = num(r.first_event_ts);
    if (r.last_event_ts !== null) s.lastEventTimestamp = num(r.last_event_ts);
    if (r.last_ingestion_ts !== null) s.lastIngestionTime = num(r.last_ingestion_ts);
    s.arn = streamArn(call, group, str(r.name));
    s.storedBytes = 0;
    return s;
  });
  const out: Record<string, unknown> = { logStreams };
  if (rows.length > limit) out.nextToken = encodeToken('dls', offset + limit);
  return out;
};

export type { Call };
