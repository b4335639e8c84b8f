import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../../../src/catalog/types.js';
import { castTypeOf, fitToColumn, maxCharacters } from '../../../src/strategies/column-length.js';
import { valueStrategy } from '../../../src/strategies/simple-strategies.js';
import { Params } from '../../../src/sql/quote.js';

const column = (type: string): ColumnInfo => ({ name: 'LastName', type, category: 'S', baseType: type.startsWith('character varying') ? 'varchar' : 'bpchar', notNull: false });

describe('values fit their column on purpose', () => {
  it('knows the limit of varchar(n) and char(n) only', () => {
    expect(maxCharacters(column('character varying(20)'))).toBe(20);
    expect(maxCharacters(column('character(2)'))).toBe(2);
    expect(maxCharacters(column('text'))).toBeUndefined();
  });

  it('casts new values to the unlimited type, so a cast never cuts', () => {
    expect(castTypeOf(column('character varying(20)'))).toBe('character varying');
    expect(castTypeOf(column('character(2)'))).toBe('bpchar');
    expect(valueStrategy.toSql({ kind: 'value', value: 'x' }, '"c"', column('character varying(20)'), new Params())).toBe('$1::character varying');
  });

  it('redraws a value that is too long, and trims only when no draw fits', () => {
    const draws = ['far too long for it', 'short'];
    expect(fitToColumn(() => draws.shift()!, column('character varying(10)'))).toEqual({ value: 'short', how: 'redrawn' });
    expect(fitToColumn(() => 'always too long', column('character varying(6)'))).toEqual({ value: 'always', how: 'trimmed' });
    expect(fitToColumn(() => 'Straße', column('character varying(6)'))).toEqual({ value: 'Straße', how: 'drawn' });
  });

  it('refuses a constant longer than its column', () => {
    expect(valueStrategy.checkColumn({ kind: 'value', value: 'a former customer' }, column('character varying(10)'))).toContain('17 characters long');
    expect(valueStrategy.checkColumn({ kind: 'value', value: 'former' }, column('character varying(10)'))).toBeUndefined();
  });
});
