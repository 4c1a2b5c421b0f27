#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli (built by `npm ci` through the prepare script).
import { setFlagsFromString } from 'node:v8';
import { V8_FLAGS } from '../dist/util/v8-flags.js';
import { main } from '../dist/cli/main.js';

// Before any command runs (why: src/util/v8-flags.ts). Set after the modules load, it takes
// effect as well, and a dynamic import to set it first cost `check` ~4 ms of start-up.
for (const flag of V8_FLAGS) setFlagsFromString(flag);
main(process.argv).then((code) => {
  process.exitCode = code;
});
