// Run by stand-in.test.ts as its own process: a query held in the stand-in (as the timeout and
// Ctrl-C tests hold theirs for 10 minutes), then the stand-in closed. The process must then end.
import { AthenaClient, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { startAthenaStandIn } from './stand-in.js';

// No Trino is reached: the query is held before it would run.
const slow = await startAthenaStandIn({ trinoUrl: 'http://127.0.0.1:9', workgroups: { primary: {} }, holdMs: 600_000 });
const sdk = new AthenaClient({
  endpoint: slow.url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
});
await sdk.send(
  new StartQueryExecutionCommand({
    QueryString: 'SELECT 1',
    WorkGroup: 'primary',
    ResultConfiguration: { OutputLocation: 's3://athena-results/q/' },
  }),
);
sdk.destroy();
await slow.close();
process.stdout.write('closed\n');
