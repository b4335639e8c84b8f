export interface FragmentProblem {
  kind: 'semicolon' | 'unterminated';
  index: number;
}

/**
 * A rule's SQL fragment must be one expression: a `;` outside quotes, comments
 * or dollar-quoted strings would let a fragment end the statement Lethe builds,
 * and an unclosed quote or comment would let it swallow the fragments after it.
 */
export function findStatementBreak(sql: string): number | undefined {
  return scanFragment(sql)?.index;
}

export function scanFragment(sql: string): FragmentProblem | undefined {
  let index = 0;
  while (index < sql.length) {
    const char = sql[index]!;
    const next = sql[index + 1];
    if (char === "'" || char === '"') {
      const end = skipQuoted(sql, index, char);
      if (end === undefined) return { kind: 'unterminated', index };
      index = end;
    } else if (char === '-' && next === '-') {
      const end = sql.indexOf('\n', index);
      index = end === -1 ? sql.length : end + 1;
    } else if (char === '/' && next === '*') {
      const end = sql.indexOf('*/', index + 2);
      if (end === -1) return { kind: 'unterminated', index };
      index = end + 2;
    } else if (char === '$' && !/[A-Za-z0-9_$]/.test(sql[index - 1] ?? '')) {
      // Inside an identifier (x$a$) a `$` is a letter to PostgreSQL, not the start of a dollar quote.
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(index));
      if (tag) {
        const end = sql.indexOf(tag[0], index + tag[0].length);
        if (end === -1) return { kind: 'unterminated', index };
        index = end + tag[0].length;
      } else {
        index++;
      }
    } else if (char === ';') {
      return { kind: 'semicolon', index };
    } else {
      index++;
    }
  }
  return undefined;
}

/** The index after the closing quote, or undefined when the quote is never closed. */
function skipQuoted(sql: string, start: number, quote: string): number | undefined {
  let index = start + 1;
  while (index < sql.length) {
    if (sql[index] === quote) {
      if (sql[index + 1] === quote) index += 2;
      else return index + 1;
    } else {
      index++;
    }
  }
  return undefined;
}
