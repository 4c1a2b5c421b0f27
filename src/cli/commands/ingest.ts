import type { Command } from 'commander';
import { BiError } from '../../util/errors.js';

// Placeholder until the ingest command lands.
export function registerIngest(program: Command): void {
  program.command('ingest').description('(not available yet)').action(() => {
    throw new BiError('NOT_IMPLEMENTED', 'ingest is not available yet');
  });
}
