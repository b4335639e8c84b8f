import { tableKey } from '../catalog/read-catalog.js';
import type { Catalog, TableInfo } from '../catalog/types.js';
import type { Cascade, PlannedRule } from '../plan/types.js';
import { writeTableName } from '../rules/identifiers.js';
import type { Rule } from '../rules/types.js';

/** Where a table's rows of one person come from: a rule's own table, or a table of its cascade tree. */
export interface ExportSource {
  planned: PlannedRule;
  /** Undefined: the rule's own table, selected by its subject; else rows that hang from those rows. */
  cascade: Cascade | undefined;
}

export interface ExportTable {
  table: TableInfo;
  /** As a rule would write it: `device_logs`, `analytics.device_logs`. */
  name: string;
  /** The category of the first rule naming the table (or, for a table only cascaded into, of the rule it hangs from). */
  category: string;
  /** Every rule that reaches the table, in rule order. */
  rules: string[];
  sources: ExportSource[];
  /** Exported columns, in the table's order. */
  columns: string[];
  /** Columns left out by `export: { omit }` of any rule on the table. */
  omitted: string[];
  /** False when a rule on the table says `export: false`: its rows are counted, never shown. */
  included: boolean;
}

export interface ExportPlan {
  tables: ExportTable[];
}

/**
 * Pure: the tables a person's export reads, each once however many rules reach it.
 * A rule's own table gives the rows its subject names (whatever their age and the
 * rule's `where`: a copy is about the person, not about what is due); a deleting
 * rule's cascade tree adds the rows that hang from them. What any rule on a table
 * marks as not exportable (`export:`) is left out wherever the table is reached.
 */
export function buildExportPlan(planned: readonly PlannedRule[], allRules: readonly Rule[], catalog: Catalog): ExportPlan {
  const tables = new Map<string, ExportTable>();
  const settings = exportSettingsByTable(allRules, catalog);
  const add = (table: TableInfo, category: string, source: ExportSource) => {
    let entry = tables.get(table.qualified);
    if (!entry) {
      const rules = settings.get(table.qualified);
      const omitted = [...new Set(rules?.omit ?? [])];
      entry = {
        table,
        name: writeTableName(table.schema, table.name, catalog.searchPath?.[0] ?? 'public'),
        category,
        rules: [],
        sources: [],
        columns: [...table.columns.keys()].filter((column) => !omitted.includes(column)),
        omitted,
        included: rules?.include ?? true,
      };
      tables.set(table.qualified, entry);
    }
    if (!entry.rules.includes(source.planned.rule.id)) entry.rules.push(source.planned.rule.id);
    entry.sources.push(source);
  };
  // Own tables first, so a table a rule names keeps that rule's category: the most general rule's
  // (no join, no where: device-logs rather than cancelled-accounts-device-logs).
  const general = [...planned].sort((a, b) => narrowness(a.rule) - narrowness(b.rule));
  for (const rule of general) add(rule.table, rule.rule.category, { planned: rule, cascade: undefined });
  for (const rule of planned) for (const cascade of rule.cascades) add(cascade.table, rule.rule.category, { planned: rule, cascade });
  return { tables: [...tables.values()] };
}

function narrowness(rule: Rule): number {
  return (rule.join ? 1 : 0) + (rule.where ? 1 : 0);
}

function exportSettingsByTable(rules: readonly Rule[], catalog: Catalog): Map<string, { include: boolean; omit: string[] }> {
  const byTable = new Map<string, { include: boolean; omit: string[] }>();
  for (const rule of rules) {
    const table = catalog.tables.get(tableKey(rule.table));
    if (!table || !rule.export) continue;
    const seen = byTable.get(table.qualified) ?? { include: true, omit: [] };
    byTable.set(table.qualified, { include: seen.include && rule.export.include, omit: [...seen.omit, ...rule.export.omit] });
  }
  return byTable;
}
