/**
 * V8 flags the CLI sets before any command runs (bin/bedrock-insights.js; bench/ingest.bench.ts
 * runs its phases with the same).
 *
 * A young generation of 32 MB semi-spaces (V8's default is 16 on 64-bit): an ingest's record
 * texts live until their part is staged, and the young collections promoted (copied) them. S3
 * layout, 250k records, alternating runs on 2026-12-05: 10.77-11.20 s against 11.10-11.79 s,
 * peak RSS ~60 MB higher; set once the modules have loaded, alike (10.91-11.13 s against
 * 11.10-11.49 s set before them). Threads started later take it too.
 */
export const V8_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
