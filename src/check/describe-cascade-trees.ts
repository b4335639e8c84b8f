import { tableKey } from '../catalog/read-catalog.js';
import type { Catalog } from '../catalog/types.js';
import { resolveCascades } from '../plan/build-plan.js';
import type { Cascade } from '../plan/types.js';
import type { RuleSet } from '../rules/types.js';

/** One table of a rule's cascade tree, as `check` shows it. */
export interface CascadeTreeNode {
  table: string;
  /** `rule`: Lethe deletes the rows first; `database`: ON DELETE CASCADE does. */
  by: 'rule' | 'database';
  /** The foreign key that hangs it from its parent: `payment.rental_id`. */
  key: string;
  /** A self-reference: rows reaching the parent's rows at any depth. */
  recursive: boolean;
  /** Subjects checked against the holds: `"payment"."customer_id" (customer)`. */
  subjects: string[];
  children: CascadeTreeNode[];
}

export interface CascadeTree {
  rule: string;
  table: string;
  children: CascadeTreeNode[];
}

/** Pure: the tree each deleting rule with children will delete, resolved against the catalog. */
export function describeCascadeTrees(ruleSet: RuleSet, catalog: Catalog): CascadeTree[] {
  const trees: CascadeTree[] = [];
  for (const rule of ruleSet.rules) {
    const table = catalog.tables.get(tableKey(rule.table));
    if (!table) continue;
    const cascades = resolveCascades(rule, table, catalog, ruleSet.holds);
    if (cascades.length === 0) continue;
    const build = (parent: Cascade | undefined): CascadeTreeNode[] =>
      cascades
        .filter((cascade) => cascade.parent === parent)
        .map((cascade) => ({
          table: plain(cascade.table.qualified),
          by: cascade.by,
          key: `${cascade.table.name}.${cascade.foreignKey.columns.join(',')}`,
          recursive: cascade.recursive,
          subjects: cascade.subjects.map((subject) => `${subject.sql}${subject.kind ? ` (${subject.kind})` : ''}`),
          children: build(cascade),
        }));
    trees.push({ rule: rule.id, table: plain(table.qualified), children: build(undefined) });
  }
  return trees;
}

/** The trees as text: leaves are deleted first, all in one transaction per batch. */
export function renderCascadeTrees(trees: CascadeTree[]): string[] {
  const lines: string[] = [];
  for (const tree of trees) {
    lines.push(`cascade tree of ${tree.rule} (leaves deleted first, one transaction per batch):`);
    lines.push(`  ${tree.table}`);
    const walk = (nodes: CascadeTreeNode[], indent: string) => {
      nodes.forEach((node, index) => {
        const last = index === nodes.length - 1;
        const how = node.by === 'rule' ? 'deleted by Lethe' : 'ON DELETE CASCADE';
        const depth = node.recursive ? ', every depth' : '';
        const held = node.subjects.length > 0 ? `; held by ${node.subjects.join(', ')}` : '';
        lines.push(`  ${indent}${last ? '└─ ' : '├─ '}${node.table} (${node.key}, ${how}${depth})${held}`);
        walk(node.children, `${indent}${last ? '   ' : '│  '}`);
      });
    };
    walk(tree.children, '');
  }
  return lines;
}

function plain(qualified: string): string {
  return qualified.replace(/"/g, '');
}
