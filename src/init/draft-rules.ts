import { writeTableName } from '../rules/identifiers.js';
import type { ForeignKeyFacts, SchemaFacts, TableFacts } from '../classify/read-schema-facts.js';
import type { Classification } from '../classify/types.js';
import { chooseRowClock, choosePersonClock, findClosedColumn } from './choose-clock.js';
import { findOwners, type Owner } from './find-owners.js';
import type { RulesStyle } from './suggest-strategy.js';
import { draftChangePhase } from './draft-change-phase.js';
import { draftCascade } from './draft-cascade.js';
import { comment, kebab, sqlName, yamlString } from './yaml-text.js';
import { draftSettings } from './draft-settings.js';

export interface DraftOptions {
  style: RulesStyle;
  personTableWords?: string[];
}

export interface DraftFile {
  /** The file name inside the output folder. */
  name: string;
  text: string;
}

export interface Draft {
  files: DraftFile[];
  rules: { id: string; table: string; file: string }[];
  /** Tables that belong to a person but got no rule, and why. */
  skipped: { table: string; reason: string }[];
  /** Personal columns of tables that reach no person table: no rule is drafted for them. */
  unowned: Classification[];
}

/** Placeholders that keep data long; every one carries a TODO, so `check --strict` refuses the draft until decided. */
export const PLACEHOLDER = { anonymize: '5y', delete: '10y', person: '10y' } as const;

/**
 * Pure: a commented draft rule set from the schema's facts and the classifier's findings:
 * one file per person table (users, customers) with a rule for it and for every table that
 * reaches it by foreign keys, lethe.yaml with the holds it could infer.
 */
export function draftRules(facts: SchemaFacts, personal: Classification[], options: DraftOptions): Draft {
  const { persons, owners, holds } = findOwners(facts, options.personTableWords);
  const first = facts.searchPath[0];
  const byTable = new Map<string, Classification[]>();
  for (const found of personal) byTable.set(found.table, [...(byTable.get(found.table) ?? []), found]);
  const draft: Draft = { files: [], rules: [], skipped: [], unowned: [] };
  const holdNames = new Set(holds.map((table) => table.name));
  for (const person of persons) {
    const category = kebab(person.name);
    const file = `${category}.yaml`;
    const blocks: { id: string; table: string; text: string }[] = [];
    const personRule = draftPersonRule(person, facts, byTable.get(person.name) ?? [], options.style, first);
    if ('skip' in personRule) draft.skipped.push({ table: person.name, reason: personRule.skip });
    else {
      blocks.push({ id: personRule.id, table: person.name, text: personRule.text });
    }
    for (const table of facts.tables) {
      const owner = owners.get(table.name);
      if (!owner || owner.person !== person) continue;
      if (holdNames.has(table.name)) {
        draft.skipped.push({ table: table.name, reason: 'a table of legal holds: lethe.yaml reads it in `holds`' });
        continue;
      }
      const rule = draftOwnedRule(table, owner, facts, byTable.get(table.name) ?? [], options.style, first);
      if ('skip' in rule) draft.skipped.push({ table: table.name, reason: rule.skip });
      else {
        blocks.push({ id: rule.id, table: table.name, text: rule.text });
      }
    }
    // Rule files are limited in size (rule-file-limits.ts): a large group goes into users.yaml, users-2.yaml...
    chunkBySize(blocks, FILE_BYTES).forEach((chunk, index) => {
      const name = index === 0 ? file : `${category}-${index + 1}.yaml`;
      draft.rules.push(...chunk.map((block) => ({ id: block.id, table: block.table, file: name })));
      draft.files.push({
        name,
        text: [
          comment('', `Drafted by lethe init: the data of each person in ${person.name}, and of every table that reaches it by foreign keys.`),
          comment('', 'Review every rule before use: each TODO marks a decision only a person can make (check --strict fails until none is left).'),
          `category: ${category}`,
          `description: ${yamlString(`Personal data of ${person.name} and the tables that reference it. TODO: name the privacy-policy clause`)}`,
          'rules:',
          ...chunk.map((block) => block.text),
        ].join('\n') + '\n',
      });
    });
  }
  const owned = new Set([...persons.map((table) => table.name), ...owners.keys()]);
  draft.unowned = personal.filter((found) => !owned.has(found.table));
  draft.files.push({ name: 'lethe.yaml', text: draftSettings(persons, holds, facts, draft.unowned, first) });
  return draft;
}

/** Well under the 256 KiB a rule file may have. */
const FILE_BYTES = 192 * 1024;

function chunkBySize<T extends { text: string }>(blocks: T[], limit: number): T[][] {
  const chunks: T[][] = [];
  let size = limit;
  for (const block of blocks) {
    const bytes = Buffer.byteLength(block.text) + 1;
    if (size + bytes > limit) {
      chunks.push([]);
      size = 0;
    }
    chunks[chunks.length - 1]!.push(block);
    size += bytes;
  }
  return chunks;
}

type Drafted = { id: string; text: string } | { skip: string };

function draftPersonRule(table: TableFacts, facts: SchemaFacts, personal: Classification[], style: RulesStyle, first: string | undefined): Drafted {
  const clock = choosePersonClock(table);
  if (!clock) return { skip: 'no date or timestamp column to serve as a clock (cancelled_at, last_login_at, created_at)' };
  const name = sqlName(table.relname);
  const subject = table.primaryKey.length === 1 ? `${name}.${sqlName(table.primaryKey[0]!)}` : undefined;
  const phase = draftChangePhase(table, facts, personal, style, [clock.column.column], PLACEHOLDER.person, 'decide the period; 10y is a placeholder that keeps data long');
  if (phase.lines.length === 0) return { skip: `no personal column Lethe could change (${phase.skipped.join('; ') || 'none found'})` };
  // A personal column without a strategy is not kept: check --coverage lists it until someone decides.
  const undecided = new Set(phase.skipped.map((line) => line.slice(0, line.indexOf(':'))));
  const untouched = table.columns.filter((column) => !phase.changed.includes(column.column) && !table.primaryKey.includes(column.column) && !undecided.has(column.column));
  return {
    id: kebab(table.name),
    text: [
      `  - id: ${kebab(table.name)}`,
      `    description: ${yamlString(`${table.name}: personal columns changed ${clock.meaning}. TODO: name the privacy-policy clause`)}`,
      `    table: ${yamlString(writeTableName(table.schema, table.relname, first))}`,
      ...(subject ? [`    subject: ${yamlString(subject)}`] : [comment('    ', 'TODO: no single-column primary key: name the subject, so legal holds reach this rule')]),
      `    clock: ${yamlString(`${name}.${sqlName(clock.column.column)}`)}`,
      '    phases:',
      ...phase.lines,
      ...phase.skipped.map((line) => comment('    ', `TODO: ${line} (check --coverage lists it until it is changed or kept)`)),
      ...(untouched.length > 0
        ? [
            comment('    ', 'TODO: confirm each kept column is not personal data, or move it into the phase\'s set'),
            '    keep:',
            ...untouched.map((column) => `      ${yamlString(column.column)}: ${yamlString(column.column === clock.column.column ? 'the clock of this rule' : 'not flagged as personal by lethe init')}`),
          ]
        : []),
    ].join('\n'),
  };
}

function draftOwnedRule(table: TableFacts, owner: Owner, facts: SchemaFacts, personal: Classification[], style: RulesStyle, first: string | undefined): Drafted {
  const name = sqlName(table.relname);
  const parent = owner.parentVia ? facts.tables.find((candidate) => candidate.name === owner.via.referencedTable) : undefined;
  const join: string[] = [];
  const subject = owner.parentVia
    ? single(owner.parentVia.columns) && `${sqlName(parent!.relname)}.${sqlName(owner.parentVia.columns[0]!)}`
    : single(owner.via.columns) && `${name}.${sqlName(owner.via.columns[0]!)}`;
  if (parent && subject) join.push(joinClause(parent, owner.via, name, first));
  let clock: string | undefined;
  let clockNote: string;
  const own = chooseRowClock(table);
  if (own) {
    clock = `${name}.${sqlName(own.column)}`;
    clockNote = `the row's own time, ${own.column}`;
  } else {
    const closed = findClosedColumn(owner.person);
    if (!closed) return { skip: `no date or timestamp column to serve as a clock, and ${owner.person.name} has no column saying the account was closed` };
    if (parent && !join.length) join.push(joinClause(parent, owner.via, name, first));
    const from = parent ? sqlName(parent.relname) : name;
    join.push(joinClause(owner.person, owner.parentVia ?? owner.via, from, first));
    clock = `${sqlName(owner.person.relname)}.${sqlName(closed.column)}`;
    clockNote = `the person's ${closed.column} through the foreign key: the rows go after the account is closed`;
  }
  const phase = draftChangePhase(table, facts, personal, style, [], PLACEHOLDER.anonymize, 'decide when the personal columns go; 5y is a placeholder');
  const cascade = draftCascade(table, facts, first, new Set([table.name]));
  return {
    id: kebab(table.name),
    text: [
      `  - id: ${kebab(table.name)}`,
      `    description: ${yamlString(`${table.name} rows of a person in ${owner.person.name}. TODO: name the privacy-policy clause`)}`,
      `    table: ${yamlString(writeTableName(table.schema, table.relname, first))}`,
      ...(join.length > 0 ? [`    join: ${yamlString(join.join(' '))}`] : []),
      ...(subject ? [`    subject: ${yamlString(subject)}`] : [comment('    ', 'TODO: the foreign key to the person has several columns: name the subject, so legal holds reach this rule')]),
      comment('    ', `Clock: ${clockNote}.`),
      `    clock: ${yamlString(clock)}`,
      ...(cascade.length > 0 ? [comment('    ', 'Rows of these tables reference a deleted row without ON DELETE CASCADE or SET NULL: they go first.'), `    cascade: [${cascade.join(', ')}]`] : []),
      '    phases:',
      ...phase.lines,
      comment('      ', 'TODO: decide when the rows go; 10y is a placeholder that keeps data long'),
      `      - after: ${PLACEHOLDER.delete}`,
      '        action: delete',
      ...phase.skipped.map((line) => comment('    ', `${line} (the delete phase removes it with the row)`)),
    ].join('\n'),
  };
}

function single(columns: string[]): boolean {
  return columns.length === 1;
}

/** `JOIN parent ON parent.id = child.parent_id`, on every column of the foreign key. */
function joinClause(parent: TableFacts, fk: ForeignKeyFacts, childName: string, first: string | undefined): string {
  const parentName = sqlName(parent.relname);
  const target = parent.schema === first ? parentName : `${sqlName(parent.schema)}.${parentName}`;
  const on = fk.columns.map((column, index) => `${parentName}.${sqlName(fk.referencedColumns[index]!)} = ${childName}.${sqlName(column)}`).join(' AND ');
  return `JOIN ${target} ON ${on}`;
}
