import { Option, type Command } from 'commander';
import { loadRulesOrThrow } from '../../rules/load-rules.js';
import { parseNow, parsePositiveInteger } from '../parse-flags.js';
import type { ActionFactory } from '../program.js';

interface ScheduleFlags {
  now?: string;
  count?: string;
  format: 'text' | 'json';
}

export function registerSchedule(program: Command, action: ActionFactory): void {
  program
    .command('schedule')
    .description("next fire times of each rule's schedule, offline")
    .option('--now <time>', 'count from this time (ISO 8601)')
    .option('--count <n>', 'fire times per rule', '3')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(
      action<ScheduleFlags>(async (ctx, flags) => {
        const now = parseNow(flags.now, () => new Date());
        const count = parsePositiveInteger('--count', flags.count) ?? 3;
        const { ruleSet } = await loadRulesOrThrow(ctx.globals.rules);
        const { nextFireTimes } = await import('../../rules/cron.js');
        const rules = ruleSet.rules.map((rule) => ({
          id: rule.id,
          schedule: rule.schedule ?? null,
          timezone: rule.timezone,
          next: rule.schedule ? nextFireTimes(rule.schedule, rule.timezone, now, count).map((date) => date.toISOString()) : [],
        }));
        if (flags.format === 'json') {
          ctx.io.writeStdout(JSON.stringify({ lethe: 1, now: now.toISOString(), rules }, null, 2) + '\n');
          return 0;
        }
        const width = Math.max(...rules.map((rule) => rule.id.length));
        const lines = rules.map((rule) =>
          rule.schedule
            ? `${rule.id.padEnd(width)}  ${rule.schedule} (${rule.timezone})  ${rule.next.join('  ')}`
            : `${rule.id.padEnd(width)}  no schedule: due on every run --due`,
        );
        ctx.io.writeStdout(`next fire times after ${now.toISOString()}\n${lines.join('\n')}\n`);
        return 0;
      }),
    );
}
