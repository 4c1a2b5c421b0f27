import type { Command } from 'commander';
import { BiError } from '../../util/errors.js';

// Placeholder until the generate command lands.
export function registerGenerate(program: Command): void {
  program.command('generate').description('(not available yet)').action(() => {
    throw new BiError('NOT_IMPLEMENTED', 'generate is not available yet');
  });
}
