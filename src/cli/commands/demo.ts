import type { Command } from 'commander';
import { BiError } from '../../util/errors.js';

// Placeholder until the demo command lands.
export function registerDemo(program: Command): void {
  program.command('demo').description('(not available yet)').action(() => {
    throw new BiError('NOT_IMPLEMENTED', 'demo is not available yet');
  });
}
