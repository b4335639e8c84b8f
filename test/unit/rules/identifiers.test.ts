import { describe, expect, it } from 'vitest';
import { identifierProblem, IDENTIFIER_PATTERN, parseIdentifier, parseTableName, TABLE_PATTERN, writeTableName } from '../../../src/rules/identifiers.js';

describe('identifiers in rule keys', () => {
  it.each([
    ['Customer', { schema: undefined, name: 'Customer' }],
    ['store.Invoice', { schema: 'store', name: 'Invoice' }],
    ['Straße Kunden', { schema: undefined, name: 'Straße Kunden' }],
    ['"my.schema"."Invoice Line"', { schema: 'my.schema', name: 'Invoice Line' }],
    ['"say ""hi"""', { schema: undefined, name: 'say "hi"' }],
    ['store."a.b"', { schema: 'store', name: 'a.b' }],
  ])('reads the table %s exactly', (text, expected) => {
    expect(TABLE_PATTERN.test(text)).toBe(true);
    expect(parseTableName(text)).toEqual(expected);
  });

  it('refuses a table with three parts or an unbalanced quote', () => {
    expect(TABLE_PATTERN.test('a.b.c')).toBe(false);
    expect(TABLE_PATTERN.test('"unclosed')).toBe(false);
  });

  it('takes column names exactly, quoted or not', () => {
    expect(IDENTIFIER_PATTERN.test('Kunden Nr')).toBe(true);
    expect(parseIdentifier('"Kunden Nr"')).toBe('Kunden Nr');
    expect(parseIdentifier('Email')).toBe('Email');
    expect(IDENTIFIER_PATTERN.test('a"b')).toBe(false);
  });

  it('refuses a name PostgreSQL would cut at 63 bytes', () => {
    expect(identifierProblem('ä'.repeat(32))).toContain('63 bytes');
    expect(identifierProblem('ä'.repeat(31))).toBeUndefined();
  });

  it('writes a table without its schema only when the schema is first on search_path', () => {
    expect(writeTableName('public', 'Invoice', 'public')).toBe('Invoice');
    expect(writeTableName('store', 'OrderLine', 'public')).toBe('store.OrderLine');
    expect(writeTableName('store', 'a.b', 'public')).toBe('store."a.b"');
  });
});
