// The one run handle of the remote engines (src/engines/remote-run.ts), driven through the real
// engine shell (createQueryEngine) with a remote body that stands for a service: how each end is
// coded (time limit, cancel, kept-bytes cut, failures, a remote that cancels on its own side) and
// that the remote is told to stop. The Trino, Athena and CloudWatch tests cover the same ends
// against their real protocols.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QueryEngine, QueryHandle } from '../../src/engines/engine.js';
import type { ExecutionLimits } from '../../src/engines/limits.js';
import { sleep } from '../../src/engines/poll.js';
import { createQueryEngine, type RunnableQuery } from '../../src/engines/query-engine.js';
import { startRemoteRun, type RemoteRun } from '../../src/engines/remote-run.js';
import { BiError } from '../../src/util/errors.js';

type Body = (run: RemoteRun) => Promise<'Complete' | 'Cancelled'>;

const GROUP = '/aws/bedrock/modelinvocations';
const QUERY = { queryString: 'stats count(*) as n by modelId', logGroups: [GROUP] };

function remoteEngine(body: Body, limits: ExecutionLimits = {}, stops: string[] = []): QueryEngine {
  return createQueryEngine(
    {
      name: 'remote-stand-in',
      catalog: () => Promise.resolve({ logGroups: [{ name: GROUP, genericEvents: 0 }], fieldsByGroup: new Map() }),
      execute: (query: RunnableQuery): Promise<QueryHandle> =>
        Promise.resolve(
          startRemoteRun({
            prepared: query,
            limits,
            rowCap: query.plan.rowCap,
            aggregated: query.plan.aggregated,
            body,
            failure: (e) =>
              e instanceof BiError ? e : new BiError('STAND_IN_FAILED', `stand-in: ${String(e as string)}`),
            stopRemote: () => {
              stops.push('stop');
              return Promise.resolve();
            },
          }),
        ),
    },
    { limits },
  );
}

/** A remote that runs until its signal aborts, then fails as a client does (the abort's error). */
const forever: Body = async (run) => {
  if (!run.signal.aborted)
    await new Promise<void>((resolve) => run.signal.addEventListener('abort', () => resolve(), { once: true }));
  throw new Error('aborted');
};

test('a finished remote query is Complete with its rows and statistics', async () => {
  const r = await remoteEngine(async (run) => {
    await sleep(5);
    run.rows.push([{ field: 'n', value: '3' }]);
    run.statistics = { ...run.statistics, recordsScanned: 3, recordsMatched: 3 };
    return 'Complete';
  }).run(QUERY);
  assert.equal(r.status, 'Complete');
  assert.deepEqual(r.rows, [[{ field: 'n', value: '3' }]]);
  assert.equal(r.statistics.recordsScanned, 3);
  assert.equal(r.aggregated, true);
  assert.equal(r.error, undefined);
});

test("the server's time limit ends a remote query with status Timeout and QUERY_TIMEOUT, and the remote is stopped", async () => {
  const stops: string[] = [];
  const r = await remoteEngine(forever, { timeoutMs: 50 }, stops).run(QUERY);
  assert.equal(r.status, 'Timeout');
  assert.equal(r.error?.code, 'QUERY_TIMEOUT');
  assert.deepEqual(stops, ['stop']);
});

test("a request's own time limit wins over the server's", async () => {
  const r = await remoteEngine(forever, { timeoutMs: 3_600_000 }).run({ ...QUERY, timeoutMs: 50 });
  assert.equal(r.status, 'Timeout');
  assert.match(r.error?.message ?? '', /within 0 s/);
});

test('cancel (Ctrl-C, close) ends the run Cancelled, aborts the body and stops the remote', async () => {
  const stops: string[] = [];
  let aborted = false;
  const h = await remoteEngine(
    async (run) => {
      run.signal.addEventListener('abort', () => (aborted = true));
      return forever(run);
    },
    {},
    stops,
  ).start(QUERY);
  await sleep(20);
  assert.equal(h.status(), 'Running');
  await h.cancel();
  const r = await h.done();
  assert.equal(r.status, 'Cancelled');
  assert.equal(r.error, undefined);
  assert.ok(aborted);
  assert.deepEqual(stops, ['stop']);
  // A second cancel after the end changes nothing.
  await h.cancel();
  assert.equal((await h.done()).status, 'Cancelled');
});

test('a body that returns on its own after a cancel (a poll loop) is Cancelled, not Complete', async () => {
  const h = await remoteEngine(async (run) => {
    while (!run.signal.aborted) await sleep(5, run.signal);
    return 'Cancelled';
  }).start(QUERY);
  await h.cancel();
  assert.equal((await h.done()).status, 'Cancelled');
});

test('the remote cancelling the query on its side ends the run Cancelled', async () => {
  const r = await remoteEngine(() => Promise.resolve('Cancelled')).run(QUERY);
  assert.equal(r.status, 'Cancelled');
});

test('the kept-bytes cut stops the remote and ends Complete with the rows so far and RESULT_TOO_LARGE', async () => {
  const r = await remoteEngine(
    async (run) => {
      run.rows.push([{ field: 'n', value: '1' }]);
      run.cut();
      assert.ok(run.stopped());
      return forever(run);
    },
    { maxResultBytes: 10 },
  ).run(QUERY);
  assert.equal(r.status, 'Complete');
  assert.equal(r.rows.length, 1);
  assert.ok(r.warnings.some((w) => w.code === 'RESULT_TOO_LARGE'));
});

test("a failure is Failed with the engine's coded error; a thrown non-Error is coded too", async () => {
  const coded = await remoteEngine(() => Promise.reject(new BiError('TRINO_QUERY_FAILED', 'refused'))).run(QUERY);
  assert.equal(coded.status, 'Failed');
  assert.deepEqual(coded.error, { code: 'TRINO_QUERY_FAILED', message: 'refused' });
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- hostile: a library that rejects with a string
  const hostile = await remoteEngine(() => Promise.reject('<script>boom</script>')).run(QUERY);
  assert.equal(hostile.status, 'Failed');
  assert.equal(hostile.error?.code, 'STAND_IN_FAILED');
});

test('a remote QUERY_CANCELLED (the Trino client after a DELETE) ends Cancelled, not Failed', async () => {
  const r = await remoteEngine(() => Promise.reject(new BiError('QUERY_CANCELLED', 'cancelled there'))).run(QUERY);
  assert.equal(r.status, 'Cancelled');
  assert.equal(r.error, undefined);
});
