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

/** A user's fragment on its own lines inside parentheses, so a trailing `--` comment cannot swallow what follows. */
export function fragment(sql: string): string {
  return `(\n${sql}\n)`;
}
