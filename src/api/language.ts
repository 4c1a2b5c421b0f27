/**
 * Command and function names for the console's autocompletion and highlighting, read from the
 * language's own catalogs (src/insights/keywords.ts, src/insights/functions.ts), so a function
 * added there is offered here with no second list to keep in step.
 */
import type { LanguageCatalog } from '../contracts/wire.js';
import { FUNCTIONS } from '../insights/functions.js';
import { COMMAND_KEYWORDS, CLAUSE_KEYWORDS } from '../insights/keywords.js';

export type { LanguageCatalog };

let cached: LanguageCatalog | undefined;

export function languageCatalog(): LanguageCatalog {
  cached ??= {
    commands: COMMAND_KEYWORDS.filter((k) => !k.deprecated).map((k) => ({
      name: k.name,
      syntax: k.syntax,
      tier: k.tier,
    })),
    // Every accepted spelling completes; by-clause functions (bin, …) are offered as functions.
    functions: FUNCTIONS.flatMap((f) => {
      const kind = f.role === 'aggregate' ? ('aggregate' as const) : ('scalar' as const);
      return [f.name, ...f.aliases].map((name) => ({ name, kind, detail: f.signature }));
    }),
    keywords: [...CLAUSE_KEYWORDS],
  };
  return cached;
}
