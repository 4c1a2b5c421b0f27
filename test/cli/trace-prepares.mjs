// Loaded with `node --import` into a spawned CLI: traces the queries that go through the
// engine's front end (parse, rules, analysis) on stderr as they happen (`prepared N`, so a test
// knows the query has passed its preparation), and prints the count on exit (`prepares=N`).
import { subscribe } from 'node:diagnostics_channel';

let prepares = 0;
subscribe('bedrock-insights:query-prepare', () => {
  prepares++;
  process.stderr.write(`\nprepared ${prepares}\n`);
});
process.on('exit', () => process.stderr.write(`\nprepares=${prepares}\n`));
