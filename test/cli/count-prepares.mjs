// Loaded with `node --import` into a spawned CLI: counts the queries that go through the
// engine's front end (parse, rules, analysis) and prints the count on exit.
import { subscribe } from 'node:diagnostics_channel';

let prepares = 0;
subscribe('bedrock-insights:query-prepare', () => {
  prepares++;
});
process.on('exit', () => process.stderr.write(`\nprepares=${prepares}\n`));
