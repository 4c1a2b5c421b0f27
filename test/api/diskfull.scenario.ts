// The campaign's S9 (F6), run by store-recovery.test.ts inside a private mount namespace
// (`unshare`), where it may mount a small tmpfs: `serve` takes a PutLogEvents burst on a store
// in that tmpfs until the disk is full and DuckDB invalidates the store; then space is freed.
// Prints one JSON line with what happened; the test asserts on it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { runConsoleQuery, sleep, spawnServe } from './serveProcess.js';

const FREE_MB = Number(process.env.DISKFULL_FREE_MB ?? 20);
const GROUP = '/disk/full';

async function main(): Promise<void> {
  const dir = mkdtempSync('/tmp/bi-diskfull-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=80m', 'tmpfs', dir]);
  const out: Record<string, unknown> = {};
  const s = await spawnServe(['--db', `${dir}/store.duckdb`, '--create'], {
    BEDROCK_INSIGHTS_ACCESS_KEYS: 'AKIDDISKFULL:disk-secret',
  });
  try {
    const cw = new CloudWatchLogsClient({
      region: 'us-east-1',
      endpoint: s.url,
      credentials: { accessKeyId: 'AKIDDISKFULL', secretAccessKey: 'disk-secret' },
      maxAttempts: 1,
    });
    await cw.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    await cw.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: 's' }));
    const st = statfsSync(dir);
    const free = st.bavail * st.bsize;
    writeFileSync(`${dir}/ballast`, Buffer.alloc(Math.max(0, free - FREE_MB * 1024 * 1024)));

    const states = new Set<string>();
    const errors = new Set<string>();
    let topped = false;
    const watch = setInterval(() => {
      void fetch(`${s.url}/api/info`)
        .then((r) => r.json() as Promise<{ engine: string; store: { state: string; error?: string } }>)
        .then((i) => {
          states.add(`${i.engine}/${i.store.state}`);
          if (i.store.error) errors.add(i.store.error.replace(/\/tmp\/\S+/g, 'PATH'));
          if (i.store.state === 'reopening' && !topped) {
            // Keep the disk full while the server tries to reopen the store: it must wait for space.
            topped = true;
            const now = statfsSync(dir);
            writeFileSync(`${dir}/ballast2`, Buffer.alloc(now.bavail * now.bsize));
          }
        })
        .catch(() => states.add('no answer'));
    }, 50);

    let acked = 0;
    let refused = 0;
    const put = async (batch: number): Promise<boolean> => {
      const now = Date.now();
      const logEvents = Array.from({ length: 400 }, (_, i) => ({
        timestamp: now,
        message: `batch ${batch} event ${i} ${randomBytes(900).toString('hex')}`,
      }));
      try {
        await cw.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: 's', logEvents }));
        acked += logEvents.length;
        return true;
      } catch {
        refused++;
        return false;
      }
    };
    let batch = 0;
    while (batch < 300 && refused < 3) await put(batch++);
    out.batchesSent = batch;
    await sleep(1500);
    out.refusedWhileFull = refused;
    const unavailable = [...states].some((x) => x.startsWith('unavailable'));

    await sleep(2500); // a few attempts to reopen on a full disk
    rmSync(`${dir}/ballast`);
    rmSync(`${dir}/ballast2`, { force: true });
    const freed = Date.now();
    let back = -1;
    for (let i = 0; i < 600; i++) {
      const info = (await (await fetch(`${s.url}/api/info`)).json()) as { engine: string };
      if (info.engine === 'available') {
        back = Date.now() - freed;
        break;
      }
      await sleep(100);
    }
    clearInterval(watch);
    out.statesSeen = [...states].sort();
    out.reopenErrors = [...errors];
    out.keptFull = topped;
    out.unavailableWhileFull = unavailable;
    out.recoveredMs = back;
    out.putAfter = await put(batch++);
    const v = await runConsoleQuery(s.url, `SOURCE '${GROUP}' | stats count(*) as n, count_distinct(@message) as d`);
    out.queryStatus = v.status;
    out.acked = acked;
    out.stored = Number(v.rows[0]?.n ?? -1);
    out.distinct = Number(v.rows[0]?.d ?? -1);
    out.stderr = s.stderr();
  } finally {
    const stop = await s.stop();
    out.exit = stop.code;
    try {
      execFileSync('umount', [dir]);
    } catch {
      /* the namespace goes away with this process anyway */
    }
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

await main();
