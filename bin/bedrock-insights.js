#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli (built by `npm ci` through the prepare script).
import { setFlagsFromString } from 'node:v8';
import { V8_FLAGS } from '../dist/util/v8-flags.js';

// Before the CLI's modules load (why: src/util/v8-flags.ts).
for (const flag of V8_FLAGS) setFlagsFromString(flag);
const { main } = await import('../dist/cli/main.js');
main(process.argv).then((code) => {
  process.exitCode = code;
});
