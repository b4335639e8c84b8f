type Node = Record<string, unknown>;

/**
 * A joined subquery that groups by plain columns and outputs all of them
 * (`JOIN (SELECT customer_id, max(at) AS last FROM orders GROUP BY customer_id) AS a`)
 * has one row per group: its output names of the grouped columns are a unique
 * key, so an ON that pins them all by equality matches at most one row.
 * Undefined for any other join target (a set operation, grouping sets, no alias).
 */
export function groupedSubqueryKey(joined: Node): { alias: string; columns: string[] } | undefined {
  const subselect = joined.RangeSubselect as Node | undefined;
  const alias = (subselect?.alias as Node | undefined)?.aliasname as string | undefined;
  const select = (subselect?.subquery as Node | undefined)?.SelectStmt as Node | undefined;
  if (!alias || !select || select.op !== 'SETOP_NONE' || select.larg) return undefined;
  const groups = (select.groupClause as Node[] | undefined) ?? [];
  if (groups.length === 0) return undefined;
  const targets = ((select.targetList as Node[] | undefined) ?? []).map((target) => target.ResTarget as Node);
  const columns: string[] = [];
  for (const group of groups) {
    const fields = columnFields(group);
    if (!fields) return undefined; // an expression, ROLLUP, CUBE or GROUPING SETS
    const output = targets.find((target) => sameFields(columnFields(target.val as Node), fields));
    if (!output) return undefined;
    columns.push((output.name as string | undefined) ?? fields[fields.length - 1]!);
  }
  return { alias, columns };
}

function columnFields(node: Node | undefined): string[] | undefined {
  const ref = node?.ColumnRef as Node | undefined;
  const fields = (ref?.fields as Node[] | undefined)?.map((field) => (field.String as Node | undefined)?.sval as string | undefined);
  return fields && fields.every((field) => field !== undefined) ? (fields as string[]) : undefined;
}

function sameFields(a: string[] | undefined, b: string[]): boolean {
  return a !== undefined && a[a.length - 1] === b[b.length - 1] && (a.length === 1 || b.length === 1 || a.join('.') === b.join('.'));
}
