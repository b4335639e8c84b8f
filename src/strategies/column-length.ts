import type { ColumnInfo } from '../catalog/types.js';

const LENGTH_LIMITED = /^(character varying|character)\((\d+)\)$/;

/** The most characters a varchar(n) / char(n) column holds; undefined for columns without a limit. */
export function maxCharacters(column: ColumnInfo): number | undefined {
  const match = LENGTH_LIMITED.exec(column.type);
  return match ? Number(match[2]) : undefined;
}

/** Characters as PostgreSQL counts them (code points, not UTF-16 units). */
export function characterLength(text: string): number {
  return [...text].length;
}

/**
 * The column's type without its length, for casts of new values: an explicit
 * cast to varchar(n) silently cuts a longer value, while assigning an unlimited
 * varchar to the column raises an error. So nothing is ever truncated by a cast.
 */
export function castTypeOf(column: ColumnInfo): string {
  const match = LENGTH_LIMITED.exec(column.type);
  if (!match) return column.type;
  return match[1] === 'character' ? 'bpchar' : 'character varying';
}

export interface FittedValue {
  value: string;
  /** `drawn`: the first value fit; `redrawn`: longer values were drawn again; `trimmed`: none fit, cut on purpose. */
  how: 'drawn' | 'redrawn' | 'trimmed';
}

/** Fake values that fit the column on purpose: redraw a few times, then trim to the limit. */
export function fitToColumn(draw: () => string, column: ColumnInfo, attempts = 50): FittedValue {
  const max = maxCharacters(column);
  const first = draw();
  if (max === undefined || characterLength(first) <= max) return { value: first, how: 'drawn' };
  for (let attempt = 1; attempt < attempts; attempt++) {
    const value = draw();
    if (characterLength(value) <= max) return { value, how: 'redrawn' };
  }
  return { value: [...first].slice(0, max).join(''), how: 'trimmed' };
}
