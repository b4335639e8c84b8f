import { createRequire } from 'node:module';
import type { Rule, Severity } from '../rules/types.js';
import { tableKey } from './read-catalog.js';
import type { Catalog, TableInfo } from './types.js';

type Report = (severity: Severity, check: string, path: (string | number)[], message: string) => void;
type Node = Record<string, unknown>;

interface Parser {
  parseSync(sql: string): { stmts: { stmt: Node }[] };
}

/**
 * A join that can match several rows per target row makes counts lie (the plan
 * counts joined rows, the run changes target rows: 15,640 planned, 584 changed)
 * and lets any matching row make a target row due. Lethe refuses it unless each
 * joined table is matched on all columns of one of its unique keys by equality
 * (`JOIN users ON users.id = t.user_id`); otherwise write the condition as an
 * EXISTS in `where` instead of a join.
 *
 * The fragment parser is already loaded by `loadRules` (parse-fragment.ts).
 */
export function checkJoinFanOut(rule: Rule, table: TableInfo, catalog: Catalog, report: Report): void {
  if (!rule.join) return;
  let tree: { stmts: { stmt: Node }[] };
  try {
    tree = (createRequire(import.meta.url)('libpg-query') as Parser).parseSync(`SELECT 1 FROM lethe_target\n${rule.join}\n`);
  } catch {
    return; // the fragment checks report a join that does not parse
  }
  const from = ((tree.stmts[0]?.stmt.SelectStmt as Node | undefined)?.fromClause as Node[] | undefined)?.[0];
  for (const join of joinsOf(from)) {
    const joined = join.rarg as Node;
    const range = joined.RangeVar as Node | undefined;
    const name = range ? { schema: range.schemaname as string | undefined, name: range.relname as string } : undefined;
    const info = name ? catalog.tables.get(tableKey(name)) ?? findByName(catalog, name.name) : undefined;
    if (!range || !info) {
      report('error', 'join-fan-out', ['join'], `cannot prove this join matches at most one row per ${table.qualified} row (it joins ${range ? `${String(range.relname)}, which the check could not read` : 'a subquery or function'}); write the condition as EXISTS (...) in 'where', or join a table on its unique key`);
      continue;
    }
    const alias = ((range.alias as Node | undefined)?.aliasname as string | undefined) ?? info.name;
    const matched = equalityColumns(join.quals as Node | undefined, alias);
    // JOIN ... USING (a, b) pins those columns of both sides by equality.
    for (const column of (join.usingClause as Node[] | undefined) ?? []) matched.add((column.String as Node).sval as string);
    const uniqueKeys = [info.primaryKey, ...info.indexes.filter((index) => index.unique && !index.partial && index.columns.length > 0).map((index) => index.columns)].filter(
      (columns): columns is string[] => columns !== undefined,
    );
    if (!uniqueKeys.some((columns) => columns.every((column) => matched.has(column)))) {
      const keys = [...new Set(uniqueKeys.map((columns) => `(${columns.join(', ')})`))].join(' or ') || 'none';
      report(
        'error',
        'join-fan-out',
        ['join'],
        `the join can match several ${info.qualified} rows per ${table.qualified} row: it does not match a unique key of ${info.qualified} (${keys}) by equality, so counts and batches would disagree; write the condition as EXISTS (...) in 'where', or join on a unique key`,
      );
    }
  }
}

function joinsOf(node: Node | undefined): Node[] {
  const out: Node[] = [];
  let current = node;
  while (current && 'JoinExpr' in current) {
    const join = current.JoinExpr as Node;
    out.unshift(join);
    current = join.larg as Node;
  }
  return out;
}

function findByName(catalog: Catalog, name: string): TableInfo | undefined {
  return [...catalog.tables.values()].find((info) => info.name === name);
}

/** Columns of `alias` that the ON condition pins with `alias.col = <something>` under AND. */
function equalityColumns(quals: Node | undefined, alias: string): Set<string> {
  const columns = new Set<string>();
  const visit = (node: Node | undefined): void => {
    if (!node) return;
    const bool = node.BoolExpr as Node | undefined;
    if (bool && bool.boolop === 'AND_EXPR') {
      for (const arg of bool.args as Node[]) visit(arg);
      return;
    }
    const expr = node.A_Expr as Node | undefined;
    if (!expr || expr.kind !== 'AEXPR_OP' || ((expr.name as Node[])[0]?.String as Node | undefined)?.sval !== '=') return;
    for (const side of [expr.lexpr, expr.rexpr] as Node[]) {
      const fields = ((side?.ColumnRef as Node | undefined)?.fields as Node[] | undefined)?.map((field) => (field.String as Node | undefined)?.sval as string | undefined);
      if (fields && fields.length >= 2 && fields[fields.length - 2] === alias && fields[fields.length - 1]) columns.add(fields[fields.length - 1]!);
    }
  };
  visit(quals);
  return columns;
}
