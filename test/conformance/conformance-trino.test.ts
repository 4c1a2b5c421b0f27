/**
 * The conformance suite against the Trino engine on the real local Trino, as part of `npm test`
 * (`CONFORMANCE_ENGINE=trino node --import tsx --test test/conformance/conformance.test.ts` is the
 * same run). The data sets are written where Trino reads them (see trino-engine.ts).
 */
process.env.CONFORMANCE_ENGINE = 'trino';
await import('./conformance.test.js');
