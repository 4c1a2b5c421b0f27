// `npm run trino:start` / `npm run trino:stop`: the CLI's `trino start|stop|status` run from the
// sources (no build needed), so scripts and CI get the same code and the same TRINO_URL= line.
import { main } from '../src/cli/main.js';

process.exitCode = await main([process.argv[0], 'bedrock-insights', 'trino', ...process.argv.slice(2)]);
