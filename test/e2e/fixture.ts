import { Store } from '../../src/store/store.js';
import { rebuildDerived } from '../../src/store/events.js';

/**
 * A store of synthetic Bedrock invocation records written with plain SQL (fast at any size, and
 * independent of the ingest path): used by the console's end-to-end tests and its benchmark.
 * Values are a deterministic function of the row number, so tests can compute expectations
 * themselves (see `expectedFor`).
 */
export const APPS = ['CustomerServiceApp', 'SalesAssistantApp', 'InternalDocsBot', 'CodeReviewer'] as const;
export const ENVS = ['production', 'development'] as const;
export const COST_CENTERS = ['CC-1001', 'CC-2002', 'CC-3003'] as const;
export const LOG_GROUP = '/aws/bedrock/modelinvocations';

export interface FixtureOptions {
  records: number;
  /** Newest record time (epoch ms); records are spread evenly over `spanMs` before it. */
  endMs: number;
  spanMs: number;
}

/** Row i (0-based): its values, the same formulas as the SQL below. */
export function fixtureRow(
  i: number,
  o: FixtureOptions,
): { ts: number; app: string; env: string; costCenter: string; input: number; output: number } {
  return {
    ts: o.endMs - Math.floor((i * o.spanMs) / o.records),
    app: APPS[i % 4],
    env: ENVS[i % 2],
    costCenter: COST_CENTERS[i % 3],
    input: 100 + ((i * 37) % 900),
    output: 20 + ((i * 13) % 300),
  };
}

const FIELDS = [
  'schemaType',
  'schemaVersion',
  'timestamp',
  'accountId',
  'identity.arn',
  'region',
  'requestId',
  'operation',
  'modelId',
  'input.inputContentType',
  'input.inputTokenCount',
  'output.outputContentType',
  'output.outputTokenCount',
  'requestMetadata.application_name',
  'requestMetadata.application_id',
  'requestMetadata.environment',
  'requestMetadata.tenant_id',
  'requestMetadata.user_id',
  'requestMetadata.cost_center',
  'requestMetadata.team',
];

export async function createFixtureStore(path: string, o: FixtureOptions): Promise<Store> {
  const store = await Store.open(path);
  const c = store.connection;
  const apps = `['${APPS.join("','")}']`;
  const envs = `['${ENVS.join("','")}']`;
  const ccs = `['${COST_CENTERS.join("','")}']`;
  await c.run(`
    CREATE TEMP TABLE fx AS
    SELECT i,
      ${o.endMs}::BIGINT - (i * ${o.spanMs}::BIGINT // ${o.records}) AS ts,
      ${apps}[i % 4 + 1] AS app,
      ${envs}[i % 2 + 1] AS env,
      ${ccs}[i % 3 + 1] AS cc,
      'tenant-' || lpad((i % 7)::VARCHAR, 2, '0') AS tenant,
      'user-' || lpad((i % 23)::VARCHAR, 3, '0') AS usr,
      ['team-support', 'team-sales', 'team-platform'][i % 3 + 1] AS team,
      ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'amazon.nova-lite-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0'][i % 3 + 1] AS model,
      100 + ((i * 37) % 900) AS it,
      20 + ((i * 13) % 300) AS ot,
      'req-' || lpad(i::VARCHAR, 9, '0') AS rid
    FROM range(${o.records}) t(i)`);
  await c.run(`
    INSERT INTO events
    SELECT i + 1, '${LOG_GROUP}', 'aws/bedrock/modelinvocations', ts, ts + 1500, rid, 'bedrock',
      '123456789012', 'us-east-1', 'us-east-1', 'Converse', model,
      'arn:aws:sts::123456789012:assumed-role/' || app || 'Role/session', rid, NULL,
      it, ot, NULL, NULL,
      MAP(['application_name', 'application_id', 'environment', 'tenant_id', 'user_id', 'cost_center', 'team'],
          [app, lower(app), env, tenant, usr, cc, team]),
      NULL, NULL, NULL, NULL, NULL, NULL,
      json_object(
        'schemaType', 'ModelInvocationLog', 'schemaVersion', '1.0',
        'timestamp', strftime(make_timestamp(ts * 1000), '%Y-%m-%dT%H:%M:%SZ'),
        'accountId', '123456789012',
        'identity', json_object('arn', 'arn:aws:sts::123456789012:assumed-role/' || app || 'Role/session'),
        'region', 'us-east-1', 'requestId', rid, 'operation', 'Converse', 'modelId', model,
        'input', json_object('inputContentType', 'application/json', 'inputTokenCount', it),
        'output', json_object('outputContentType', 'application/json', 'outputTokenCount', ot),
        'requestMetadata', json_object('application_name', app, 'application_id', lower(app), 'environment', env,
          'tenant_id', tenant, 'user_id', usr, 'cost_center', cc, 'team', team)
      )::VARCHAR
    FROM fx`);
  await c.run(`DROP TABLE fx`);
  await c.run(
    `INSERT INTO log_groups (name, created_ts, retention_days, generic_events) VALUES ('${LOG_GROUP}', ${o.endMs - o.spanMs}, NULL, 0) ON CONFLICT DO NOTHING`,
  );
  for (const f of FIELDS)
    await c.run(`INSERT INTO fields VALUES ('${LOG_GROUP}', '${f}', ${o.records}) ON CONFLICT DO NOTHING`);
  await c.run(`SELECT setval('event_seq', ${o.records + 1})`).catch(() => undefined);
  // Written with plain SQL, past the writer: the catalog's counts and the roll-ups from events.
  await rebuildDerived(store);
  return store;
}
