import { describe, expect, it } from 'vitest';
import { describeError, describeServerDetails, redactServerText } from '../../../src/db/describe-error.js';
import { LetheError } from '../../../src/errors.js';

/** A server error as pg hands it over: message, SQLSTATE and the fields the server filled in. */
function serverError(message: string, fields: Record<string, string>): Error {
  return Object.assign(new Error(message), fields);
}

describe('describeError: errors without the values the server quoted', () => {
  it('drops the value a data exception ends with and names the column Lethe found', () => {
    const error = serverError('invalid input syntax for type inet: "alice.smith@example.com"', { code: '22P02' });
    expect(describeError(error, { column: 'ip' })).toBe('invalid input syntax for type inet in column ip [SQLSTATE 22P02]');
    expect(describeError(error)).toBe('invalid input syntax for type inet [SQLSTATE 22P02]');
  });

  it('keeps the names the server reported (constraint, table, column) and redacts the key in DETAIL', () => {
    const error = serverError('duplicate key value violates unique constraint "users_email_key"', {
      code: '23505', table: 'users', constraint: 'users_email_key', detail: 'Key (email)=(alice@example.com) already exists.', schema: 'public',
    });
    expect(describeError(error)).toBe('duplicate key value violates unique constraint "users_email_key" [SQLSTATE 23505]');
    expect(describeServerDetails(error)).toEqual(['detail: Key (email)=(…) already exists.']);
  });

  it('redacts a failing row, quoted values in the middle of a message, and single-quoted literals', () => {
    const error = serverError('new row for relation "users" violates check constraint "phone_format"', {
      code: '23514', table: 'users', constraint: 'phone_format', detail: 'Failing row contains (7, alice, +8613812345678, (1,2)).', where: "SQL function \"f\" statement 1: 'bob'",
    });
    expect(describeError(error)).toBe('new row for relation "users" violates check constraint "phone_format" [SQLSTATE 23514]');
    expect(describeServerDetails(error)).toEqual(['detail: Failing row contains (…).', 'where: SQL function "…" statement 1: \'…\'']);
    expect(redactServerText('refused "alice" and "bob" in "t"', ['t'])).toBe('refused "…" and "…" in "t"');
  });

  it('keeps class 42 messages whole: they quote names from the statement, not values', () => {
    const error = serverError('column "nickname" does not exist', { code: '42703' });
    expect(describeError(error)).toBe('column "nickname" does not exist [SQLSTATE 42703]');
  });

  it('passes Lethe’s own messages through, and redacts quoted values of other errors', () => {
    expect(describeError(new LetheError('RUN_LOCKED', "rule 'x' is locked"))).toBe("rule 'x' is locked");
    expect(describeError(new Error('boom "secret"'))).toBe('boom "…"');
  });
});
