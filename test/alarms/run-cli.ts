// The CLI from the sources (no build needed), for tests that run it as a separate process.
import { main } from '../../src/cli/main.js';

void main(process.argv).then((code) => {
  process.exitCode = code;
});
