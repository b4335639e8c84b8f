import { LetheError } from '../errors.js';
import { checkFragment, type FragmentKind } from '../rules/parse-fragment.js';

/** The one place names become SQL text. Values never do: they are bound parameters. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualify(table: string, column: string): string {
  return `${quoteIdent(table)}.${quoteIdent(column)}`;
}

/** A statement and its parameters, as sent to the server; the dry run shows exactly this. */
export interface Statement {
  text: string;
  values: unknown[];
  /** Rows as arrays rather than objects: for key tuples whose column names may repeat. */
  rowMode?: 'array';
}

/** Collects bound values and hands out their $n placeholders. */
export class Params {
  readonly values: unknown[] = [];

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}

/**
 * A rule's fragment, embedded on its own lines inside parentheses (so a trailing
 * `--` comment cannot swallow what follows). Every embedding parses the fragment
 * again with PostgreSQL's parser and refuses anything but one node of its kind:
 * text that was never checked cannot reach a statement.
 */
export function fragment(sql: string, kind: 'predicate' | 'value' | 'query'): string {
  assertFragment(kind, sql);
  return `(\n${sql}\n)`;
}

/** A rule's join clauses after its table: checked to hang off that table and do nothing else. */
export function joinFragment(sql: string, target: { schema: string | undefined; name: string }): string {
  assertFragment('join', sql, target);
  return `\n${sql}\n`;
}

const checked = new Map<string, string | undefined>();

function assertFragment(kind: FragmentKind, sql: string, target?: { schema: string | undefined; name: string }): void {
  const cacheKey = `${kind}\u0000${target?.schema ?? ''}\u0000${target?.name ?? ''}\u0000${sql}`;
  let problem = checked.get(cacheKey);
  if (!checked.has(cacheKey)) {
    problem = checkFragment(kind, sql, target)?.message;
    if (checked.size > 10_000) checked.clear();
    checked.set(cacheKey, problem);
  }
  if (problem !== undefined) throw new LetheError('RULES_INVALID', `a SQL fragment was refused: it ${problem}`, { hint: 'run `lethe validate` to see which rule and key' });
}
