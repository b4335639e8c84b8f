import { readBareColumn } from '../rules/parse-fragment.js';
import type { Rule, Severity, Strategy } from '../rules/types.js';
import type { TableInfo } from './types.js';

type Report = (severity: Severity, check: string, path: (string | number)[], message: string) => void;

/** Strategies whose values have nothing to do with what a constraint expects: a referenced key, a CHECK's domain. */
const ARBITRARY_VALUES = new Set<Strategy['kind']>(['hash', 'fake', 'mask']);

/**
 * Values a phase writes must satisfy the column's constraints, or the first
 * batch fails at run time after `check` said yes: a hash or fake in a foreign
 * key column references nothing, a CHECK rejects it, a UNIQUE column collides.
 */
export function checkWrittenColumns(rule: Rule, table: TableInfo, report: Report): void {
  rule.phases.forEach((phase, index) => {
    for (const change of phase.set) {
      const path = ['phases', index, 'set', change.column];
      if (!table.columns.has(change.column)) continue;
      const kind = change.strategy.kind;
      if (ARBITRARY_VALUES.has(kind)) {
        const fk = table.foreignKeys?.find((candidate) => candidate.columns.includes(change.column));
        if (fk) {
          report('error', 'write-into-foreign-key', path, `'${change.column}' is in foreign key ${fk.name} to ${fk.referencedTable}: a ${kind} value would reference no row and the UPDATE fails; use null, or delete the row`);
        }
        const check = table.checks?.find((candidate) => candidate.columns.includes(change.column));
        // A mask keeps the value's length and ends, so a CHECK may still hold: a warning. Hashes and fakes owe it nothing.
        if (check) {
          report(kind === 'mask' ? 'warning' : 'error', 'write-into-check', path, `'${change.column}' is constrained by ${check.name} (${check.definition}): a ${kind} value is not made to satisfy it and the UPDATE ${kind === 'mask' ? 'may' : 'would'} fail; use null or { value: ... } that satisfies it`);
        }
      }
      if (kind === 'fake') {
        const unique = table.indexes.find((candidate) => candidate.unique && candidate.columns.includes(change.column));
        if (unique || table.primaryKey?.includes(change.column)) {
          report('error', 'fake-on-unique', path, `'${change.column}' is unique (${unique?.name ?? 'primary key'}): fake values repeat (a batch draws from a small pool) and would collide; Lethe refuses rather than guess. Use null, or hash in a pseudonymize phase`);
        }
      }
    }
  });
}

/**
 * A BEFORE UPDATE trigger that sets the clock column (Pagila's `last_updated`)
 * restarts a row's clock when an anonymize phase updates it: the delete phase
 * that should follow moves away with every run.
 */
export function checkClockTriggers(rule: Rule, table: TableInfo, report: Report): void {
  if (!rule.phases.some((phase) => phase.action !== 'delete')) return;
  const bare = readBareColumn(rule.clock);
  if (!bare || (bare.table !== undefined && bare.table !== table.name) || !table.columns.has(bare.column)) return;
  const mentions = new RegExp(`\\b${bare.column.replace(/[^A-Za-z0-9_]/g, '')}\\b`, 'i');
  for (const trigger of table.triggers ?? []) {
    if (!trigger.rowUpdate || trigger.timing !== 'before') continue;
    if (trigger.functionSource !== '' && !mentions.test(trigger.functionSource)) continue;
    report('warning', 'clock-trigger', ['clock'], `trigger ${trigger.name} (BEFORE UPDATE, ${trigger.functionName}()) on ${table.qualified} may rewrite the clock column '${bare.column}': an anonymize or pseudonymize UPDATE would restart the row's clock and push its later phases back. Use a clock no trigger sets, or have the trigger leave it alone for Lethe's updates`);
  }
}
