import { Option, type Command } from 'commander';
import type { ActionFactory } from '../program.js';
import { withDatabase } from '../open-database.js';
import { parsePositiveInteger } from '../parse-flags.js';
import type { RulesStyle } from '../../init/suggest-strategy.js';

interface InitOptions {
  out?: string;
  rulesStyle: RulesStyle;
  sample?: string;
  schema?: string[];
  personTable?: string[];
}

export function registerInit(program: Command, action: ActionFactory): void {
  program
    .command('init')
    .description('draft commented rules from the live schema (reads only; never overwrites a file)')
    .option('--out <dir>', 'folder to write the draft into (default: --rules)')
    .addOption(new Option('--rules-style <style>', 'anonymize: fixed-point strategies only; pseudonymize: hash identifiers where a mark column exists').choices(['anonymize', 'pseudonymize']).default('anonymize'))
    .option('--sample <rows>', 'match up to this many rows per table against value patterns (only counts are used)')
    .option('--schema <name...>', 'schemas to read (default: every user schema)')
    .option('--person-table <word...>', 'more words of table names that hold people (users, customers, members... are built in)')
    .action(
      action<InitOptions>(async (ctx, options) => {
        const sample = parsePositiveInteger('--sample', options.sample);
        const out = options.out ?? ctx.globals.rules;
        // Loaded on first use, so `lethe --help` stays light.
        const { readClassifiedSchema } = await import('../../classify/read-classified-schema.js');
        const { draftRules } = await import('../../init/draft-rules.js');
        const { writeDraft } = await import('../../init/write-draft.js');
        const personTables = (options.personTable ?? []).map((word) => word.toLowerCase());
        const settings = { names: {}, comments: {}, values: {}, personTables };
        const classified = await withDatabase(ctx, (db) => readClassifiedSchema(db, { sample, schemas: options.schema, settings }));
        const draft = draftRules(classified.facts, classified.personal, { style: options.rulesStyle, personTableWords: personTables });
        const written = await writeDraft(out, draft.files);
        const lines = [
          `drafted ${draft.rules.length} rule${draft.rules.length === 1 ? '' : 's'} from ${classified.facts.tables.length} tables (${classified.personal.length} personal columns found):`,
          ...written.map((path) => `  wrote ${path}`),
          ...(draft.rules.length === 0 ? ['  no table looks like it holds people (users, customers, members...): name yours with --person-table'] : []),
          ...draft.skipped.map((skip) => `  no rule for ${skip.table}: ${skip.reason}`),
          ...(draft.unowned.length > 0 ? [`personal columns in tables that reference no person table (listed in lethe.yaml):`, ...draft.unowned.map((found) => `  ${found.table}.${found.column} (${found.category})`)] : []),
          'next: review every TODO, then',
          `  lethe validate --rules ${out}`,
          `  lethe check --rules ${out} --coverage --strict`,
          `  lethe plan --rules ${out}`,
        ];
        ctx.io.writeStdout(lines.join('\n') + '\n');
        return 0;
      }),
    );
}
