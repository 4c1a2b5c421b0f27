import type { Command } from 'commander';
import { BiError } from '../../util/errors.js';

// Placeholder until the check command lands.
export function registerCheck(program: Command): void {
  program.command('check').description('(not available yet)').action(() => {
    throw new BiError('NOT_IMPLEMENTED', 'check is not available yet');
  });
}
