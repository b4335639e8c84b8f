import { describe, expect, it } from 'vitest';
import { findStatementBreak } from '../../../src/rules/sql-fragment.js';

describe('findStatementBreak', () => {
  it('finds the position of a ; that would end the statement', () => {
    expect(findStatementBreak("device_logs.source <> 'internal'; DROP TABLE users")).toBe(32);
    expect(findStatementBreak('a = 1;')).toBe(5);
  });

  it('accepts a fragment without any ;', () => {
    expect(findStatementBreak("users.status = 'cancelled' AND users.cancelled_at IS NOT NULL")).toBeUndefined();
  });

  it('accepts a ; inside a single-quoted string, also next to a doubled quote', () => {
    expect(findStatementBreak("device_logs.event = 'a;b'")).toBeUndefined();
    expect(findStatementBreak("device_logs.event = 'it''s; fine'")).toBeUndefined();
  });

  it('finds a ; right after a string that ends in a doubled quote', () => {
    expect(findStatementBreak("x = 'it'''; y")).toBe(10);
  });

  it('accepts a ; inside a double-quoted identifier', () => {
    expect(findStatementBreak('"odd;column" IS NULL')).toBeUndefined();
  });

  it('accepts a ; inside dollar quotes, anonymous or tagged', () => {
    expect(findStatementBreak('x = $$a;b$$')).toBeUndefined();
    expect(findStatementBreak('x = $tag$a;$$;b$tag$')).toBeUndefined();
  });

  it('finds a ; after a closed dollar quote', () => {
    expect(findStatementBreak('x = $q$a$q$; y')).toBe(11);
  });

  it('does not take a positional parameter ($1) for a dollar quote', () => {
    expect(findStatementBreak('x = $1; y')).toBe(6);
  });

  it('does not take a $ inside an identifier (x$a$) for a dollar quote, as PostgreSQL does not', () => {
    expect(findStatementBreak('x$a$ = 1; DROP TABLE users; SELECT $a$')).toBe(8);
  });

  it('accepts a ; inside a -- comment, and finds one on the line after it', () => {
    expect(findStatementBreak('x = 1 -- why; because')).toBeUndefined();
    expect(findStatementBreak('x = 1 -- why\n; y')).toBe(13);
  });

  it('accepts a ; inside a /* */ comment, and finds one after it', () => {
    expect(findStatementBreak('x = 1 /* a; b */')).toBeUndefined();
    expect(findStatementBreak('x = 1 /* a */; b')).toBe(13);
  });

  it('does not start a comment at a single - or /', () => {
    expect(findStatementBreak('x - 1 / 2; y')).toBe(9);
  });
});
