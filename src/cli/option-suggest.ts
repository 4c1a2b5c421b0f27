import { Command } from 'commander';

/**
 * The long options an unknown flag is one word of: `--bodies` → `--keep-bodies`. Commander's own
 * suggestion goes by edit distance, which finds `--keep-bodys` but not a flag missing a whole
 * word (the newcomer trial typed `--bodies` and got no hint).
 */
export function optionsNamedBy(flag: string, longs: readonly string[]): string[] {
  const word = flag.replace(/^--/, '').split('=')[0].toLowerCase();
  if (!flag.startsWith('--') || word.length < 3) return [];
  return [...new Set(longs)].filter((long) => long !== flag && long.slice(2).toLowerCase().split('-').includes(word));
}

const commanderUnknownOption = Reflect.get(Command.prototype, 'unknownOption') as (this: Command, flag: string) => void;

/** The CLI's command class: commander's, with the word-based did-you-mean for unknown options. */
export class BiCommand extends Command {
  override createCommand(name?: string): Command {
    return new BiCommand(name);
  }

  /** Commander calls this for an option no command in the chain declares (not in its typings). */
  unknownOption(flag: string): void {
    // This command's options and its parents' (the program's global ones).
    const longs: string[] = [];
    const collect = (c: Command | null): void => {
      if (!c) return;
      for (const o of c.options) if (o.long && !o.hidden) longs.push(o.long);
      collect(c.parent);
    };
    collect(this);
    const named = optionsNamedBy(flag, longs);
    if (named.length > 0)
      this.error(`error: unknown option '${flag}'\n(Did you mean ${named.join(' or ')}?)`, {
        code: 'commander.unknownOption',
      });
    commanderUnknownOption.call(this, flag);
  }
}
