import type { Command } from 'commander';
import { BiError } from '../../util/errors.js';

// Placeholder until the query command lands.
export function registerQuery(program: Command): void {
  program.command('query').description('(not available yet)').action(() => {
    throw new BiError('NOT_IMPLEMENTED', 'query is not available yet');
  });
}
