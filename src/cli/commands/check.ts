import { Option, type Command } from 'commander';
import { checkRules } from '../../check/check-rules.js';
import { loadRules } from '../../rules/load-rules.js';
import type { ActionFactory } from '../program.js';
import { withDatabase } from '../open-database.js';
import { renderValidation } from './validate.js';

interface CheckOptions {
  format: 'text' | 'json';
  strict: boolean;
}

export function registerCheck(program: Command, action: ActionFactory): void {
  program
    .command('check')
    .description('check rules against the live schema, read-only (a CI gate)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--strict', 'treat warnings as errors', false)
    .action(
      action<CheckOptions>(async (ctx, options) => {
        const loaded = await loadRules(ctx.globals.rules);
        let problems = loaded.problems;
        if (loaded.ruleSet) {
          const ruleSet = loaded.ruleSet;
          const checked = await withDatabase(ctx, (db) => checkRules(db, ruleSet, new Date()));
          problems = [...problems, ...checked.problems];
        }
        const errors = problems.filter((problem) => problem.severity === 'error');
        const failed = !loaded.ruleSet || errors.length > 0 || (options.strict && problems.length > 0);
        ctx.io.writeStdout(renderValidation(problems, options.format, { valid: !failed, rules: loaded.ruleSet?.rules.length ?? 0, files: loaded.ruleSet?.files.length ?? 0 }));
        return failed ? 2 : 0;
      }),
    );
}
