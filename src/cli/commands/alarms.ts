import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  AlarmStore,
  backtest,
  describeTarget,
  evaluateAlarms,
  parseAlarmDefinition,
  targetFromAddress,
  testNotify,
  type AlarmRuntime,
  type NotifyTarget,
  type Transition,
} from '../../alarms/index.js';
import { formatNumber } from '../../alarms/rules.js';
import { createEngine } from '../../engines/factory.js';
import type { QueryEngine } from '../../engines/engine.js';
import { BiError } from '../../util/errors.js';
import { EXIT, setExitCode } from '../exit.js';
import { dbOption, formatOption, sinceOption, untilOption } from '../options.js';
import { out, printJson, table } from '../output.js';
import { packageFile } from '../package-info.js';
import { withStore } from '../store.js';
import { parseRange, parseTime } from '../time-range.js';

interface DbFlags {
  db?: string;
  format: 'table' | 'json';
}

const iso = (t: number | null): string => (t === null ? '-' : new Date(t).toISOString().replace('.000Z', 'Z'));
const labels = (l: Record<string, string>): string =>
  Object.entries(l)
    .map(([k, v]) => `${k}=${v}`)
    .join(',') || '-';
const num = (v: number | null): string => (v === null ? '-' : formatNumber(v));

/** Opens the store and the alarm tables, runs `fn`, closes everything. */
async function withAlarms<T>(flags: { db?: string }, fn: (rt: AlarmRuntime) => Promise<T>): Promise<T> {
  return withStore(flags, 'write', async (store) => {
    let engine: QueryEngine | undefined;
    const alarms = await AlarmStore.open(store);
    try {
      return await fn({
        store,
        alarms,
        engine: () => (engine ??= createEngine(store)),
        log: (l) => process.stderr.write(`${l}\n`),
      });
    } finally {
      if (engine) await engine.close();
      alarms.close();
    }
  });
}

function transitionRows(ts: Transition[]): string[][] {
  return ts.map((t) => [iso(t.at), labels(t.labels), `${t.from} -> ${t.to}`, num(t.value), num(t.threshold), t.reason]);
}

export function registerAlarms(program: Command): void {
  const alarms = program
    .command('alarms')
    .description(
      'Alarms with CloudWatch semantics over the local store: metric filters, queries, budgets, anomalies; e-mail, webhook, Slack and SNS notifications.',
    )
    .addHelpText(
      'after',
      () => `
Examples:
  npx bedrock-insights alarms backtest BedrockTokenUsageHourly --since 30d      # when would the guide's alarm have fired?
  BEDROCK_INSIGHTS_SMTP_URL=smtp://user:pass@mail.example:587 \\
    npx bedrock-insights alarms enable BedrockTokenUsageHourly --to team@example.com
  npx bedrock-insights alarms create -f alarms.json                            # the format: see below
  npx bedrock-insights alarms evaluate                                         # once, for cron; serve evaluates every minute
  npx bedrock-insights alarms history BedrockTokenUsageHourly

The alarm definition format (JSON): ${packageFile('src/alarms/README.md')}

Environment: BEDROCK_INSIGHTS_SMTP_URL, BEDROCK_INSIGHTS_SMTP_FROM, BEDROCK_INSIGHTS_WEBHOOK_SECRET,
BEDROCK_INSIGHTS_CONSOLE_URL (links in notifications), BEDROCK_INSIGHTS_ALARM_INTERVAL (serve; seconds, 0 = off).`,
    );
  const db = (c: Command): Command => c.addOption(dbOption('write'));

  db(
    alarms
      .command('list')
      .description('List the alarms with their state.')
      .addOption(formatOption(['table', 'json'])),
  ).action(async (flags: DbFlags) => {
    const fmt = flags.format;
    await withAlarms(flags, async (rt) => {
      const list = await rt.alarms.list();
      const states = await rt.alarms.states();
      if (fmt === 'json') {
        printJson(list.map((a) => ({ ...a, states: states.filter((s) => s.alarm === a.definition.name) })));
        return;
      }
      const rows = list.map((a) => {
        const st = states.filter((s) => s.alarm === a.definition.name);
        const alarmed = st.filter((s) => s.state === 'ALARM');
        const state =
          st.length === 0
            ? 'INSUFFICIENT_DATA'
            : alarmed.length > 0
              ? `ALARM (${alarmed.map((s) => labels(s.labels)).join('; ')})`
              : st.every((s) => s.state === 'OK')
                ? 'OK'
                : 'INSUFFICIENT_DATA';
        return [
          a.definition.name,
          a.definition.kind,
          a.enabled ? 'yes' : 'no',
          state,
          a.definition.notify.map(describeTarget).join(', ') || '-',
        ];
      });
      out(table(['name', 'kind', 'enabled', 'state', 'notify'], rows));
    });
  });

  db(
    alarms
      .command('create')
      .description('Create or replace alarms from a JSON file (one definition or an array).')
      .requiredOption('-f, --file <file>', 'the definition file (- for standard input)'),
  ).action(async (flags: DbFlags & { file: string }) => {
    const text = readFileSync(flags.file === '-' ? 0 : flags.file, 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new BiError('ALARM_INVALID', `${flags.file} is not JSON: ${(e as Error).message}`);
    }
    const defs = (Array.isArray(json) ? json : [json]).map((d, i) =>
      parseAlarmDefinition(d, Array.isArray(json) ? `${flags.file} [${i}]` : flags.file),
    );
    await withAlarms(flags, async (rt) => {
      for (const d of defs) {
        const existed = (await rt.alarms.get(d.name)) !== undefined;
        await rt.alarms.put(d);
        out(
          `${existed ? 'Replaced' : 'Created'} alarm ${d.name} (${d.kind}, ${d.enabled ? 'enabled' : 'disabled'}${d.notify.length ? `, notifies ${d.notify.map(describeTarget).join(', ')}` : ', no notification targets'}).`,
        );
      }
    });
  });

  db(alarms.command('delete').argument('<name>').description('Delete an alarm with its state and history.')).action(
    async (name: string, flags: DbFlags) => {
      await withAlarms(flags, async (rt) => {
        if (!(await rt.alarms.delete(name)))
          throw new BiError(
            'ALARM_NOT_FOUND',
            `There is no alarm named ${name}; \`npx bedrock-insights alarms list\` shows them.`,
          );
        out(`Deleted alarm ${name}.`);
      });
    },
  );

  db(
    alarms
      .command('enable')
      .argument('<name>')
      .description(
        'Enable an alarm, optionally adding recipients (e-mail address, SNS topic ARN, Slack or webhook URL).',
      )
      .option('--to <address...>', 'recipients to add'),
  ).action(async (name: string, flags: DbFlags & { to?: string[] }) => {
    await withAlarms(flags, async (rt) => {
      const a = await rt.alarms.require(name);
      const def = { ...a.definition, enabled: true, notify: [...a.definition.notify] };
      for (const addr of flags.to ?? []) {
        const t = targetFromAddress(addr);
        if (!def.notify.some((n) => describeTarget(n) === describeTarget(t))) def.notify.push(t);
      }
      if (def.notify.length === 0)
        throw new BiError(
          'ALARM_NO_TARGETS',
          `Alarm ${name} has no recipient: name one with --to ADDRESS (an e-mail address, an SNS topic ARN or a webhook URL).`,
        );
      await rt.alarms.put(parseAlarmDefinition(def, name));
      out(`Enabled alarm ${name}; notifies ${def.notify.map(describeTarget).join(', ')}.`);
    });
  });

  db(
    alarms.command('disable').argument('<name>').description('Disable an alarm (it keeps its definition and history).'),
  ).action(async (name: string, flags: DbFlags) => {
    await withAlarms(flags, async (rt) => {
      const a = await rt.alarms.require(name);
      await rt.alarms.put({ ...a.definition, enabled: false });
      out(`Disabled alarm ${name}.`);
    });
  });

  db(
    alarms.command('test-notify').argument('<name>').description("Send a test notification to the alarm's recipients."),
  ).action(async (name: string, flags: DbFlags) => {
    await withAlarms(flags, async (rt) => {
      const results = await testNotify(rt, name);
      for (const r of results)
        out(`${r.ok ? 'sent' : 'FAILED'}  ${r.target}${r.ok ? '' : `: ${r.error} (after ${r.attempts} attempt(s))`}`);
      if (results.some((r) => !r.ok)) setExitCode(EXIT.FAILED);
    });
  });

  db(
    alarms
      .command('history')
      .argument('<name>')
      .description('State changes of an alarm, newest first.')
      .addOption(formatOption(['table', 'json']))
      .option('--limit <n>', 'at most this many', '50'),
  ).action(async (name: string, flags: DbFlags & { limit?: string }) => {
    const fmt = flags.format;
    await withAlarms(flags, async (rt) => {
      await rt.alarms.require(name);
      const h = await rt.alarms.history(name, Number(flags.limit ?? 50));
      const notes = await rt.alarms.recentNotifications(name);
      if (fmt === 'json') {
        printJson({
          history: h,
          notifications: notes.map(({ payload: _p, target, ...n }) => ({ ...n, target: describeSafe(target) })),
        });
        return;
      }
      out(
        table(
          ['time', 'series', 'change', 'value', 'threshold', 'reason'],
          h.map((e) => [
            iso(e.ts),
            labels(e.labels),
            `${e.oldState} -> ${e.newState}`,
            num(e.value),
            num(e.threshold),
            e.reason,
          ]),
        ),
      );
      if (notes.length) {
        out('\nNotifications:');
        out(
          table(
            ['time', 'kind', 'series', 'target', 'status', 'attempts', 'error'],
            notes.map((n) => [
              iso(n.createdTs),
              n.kind,
              n.series || '-',
              describeSafe(n.target),
              n.status,
              String(n.attempts),
              n.lastError ?? '',
            ]),
          ),
        );
      }
    });
  });

  db(
    alarms
      .command('evaluate')
      .description('Evaluate the enabled alarms once (for cron), send what changed.')
      .option('--at <time>', 'evaluate as of this time (ISO-8601 or epoch ms; default now)')
      .option('--alarm <name...>', 'only these alarms (also disabled ones)')
      .addOption(formatOption(['table', 'json'])),
  ).action(async (flags: DbFlags & { at?: string; alarm?: string[] }) => {
    const fmt = flags.format;
    await withAlarms(flags, async (rt) => {
      const report = await evaluateAlarms(rt, {
        ...(flags.at ? { at: parseTime(flags.at, '--at') } : {}),
        ...(flags.alarm ? { names: flags.alarm } : {}),
      });
      if (fmt === 'json') {
        printJson(report);
        return;
      }
      out(`Evaluated ${report.alarms.length} alarm(s) at ${iso(report.at)}.`);
      for (const a of report.alarms) {
        const counts = Object.values(a.states).reduce<Record<string, number>>(
          (m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }),
          {},
        );
        out(
          `  ${a.name}: ${
            a.error
              ? `ERROR ${a.error}`
              : `${a.series} series (${
                  Object.entries(counts)
                    .map(([s, n]) => `${n} ${s}`)
                    .join(', ') || 'none'
                })`
          }`,
        );
        for (const t of a.transitions) out(`    ${labels(t.labels)}: ${t.from} -> ${t.to}: ${t.reason}`);
      }
      for (const d of report.deliveries)
        out(`  notification ${d.ok ? 'sent' : 'FAILED'}: ${d.alarm} -> ${d.target}${d.error ? ` (${d.error})` : ''}`);
      if (report.alarms.some((a) => a.error) || report.deliveries.some((d) => !d.ok)) setExitCode(EXIT.FAILED);
    });
  });

  db(
    alarms
      .command('backtest')
      .argument('<name>')
      .description(
        'When would the alarm have fired on history? Each state change with its time, value and reason; nothing is stored or sent.',
      )
      .addOption(sinceOption('how far back: a duration before --until (30d, 12h, 2w) or a time', '30d'))
      .addOption(untilOption('end of the replay: a time (default: now)'))
      .option('--file <file>', 'a definition file to try instead of the stored alarm')
      .addOption(formatOption(['table', 'json'])),
  ).action(async (name: string, flags: DbFlags & { since?: string; until?: string; file?: string }) => {
    const fmt = flags.format;
    await withAlarms(flags, async (rt) => {
      let def;
      if (flags.file) {
        const raw = JSON.parse(readFileSync(flags.file, 'utf8')) as unknown;
        const all = (Array.isArray(raw) ? raw : [raw]).map((d) => parseAlarmDefinition(d, flags.file));
        def = all.find((d) => d.name === name);
        if (!def) throw new BiError('ALARM_NOT_FOUND', `${flags.file} has no alarm named ${name}.`);
      } else def = (await rt.alarms.require(name)).definition;
      const now = Date.now();
      const range = parseRange({ since: flags.since ?? '30d', until: flags.until }, now);
      const until = range.end ?? now;
      const since = range.start ?? until - 30 * 86_400_000;
      const r = await backtest(rt, def, { since, until });
      if (fmt === 'json') {
        printJson(r);
        return;
      }
      out(
        `${def.name}: ${r.evaluations} evaluations from ${iso(since)} to ${iso(until)} over ${r.series} series; ${r.transitions.filter((t) => t.to === 'ALARM').length} time(s) into ALARM.`,
      );
      const shown = r.transitions.filter((t) => t.to === 'ALARM' || t.from === 'ALARM');
      if (shown.length) out(table(['time', 'series', 'change', 'value', 'threshold', 'reason'], transitionRows(shown)));
    });
  });
}

function describeSafe(target: string): string {
  try {
    return describeTarget(JSON.parse(target) as NotifyTarget);
  } catch {
    return '?';
  }
}
