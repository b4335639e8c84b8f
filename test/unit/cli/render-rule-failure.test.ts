import { describe, expect, it } from 'vitest';
import { renderError, renderRuleFailure } from '../../../src/cli/render-error.js';
import { LetheError } from '../../../src/errors.js';

/** A pg error as the driver throws it, with the statement Lethe's client attaches (not enumerable). */
function serverError(fields: Record<string, unknown>, statement: string): Error {
  const error = Object.assign(new Error(String(fields.message)), fields);
  Object.defineProperty(error, 'statement', { value: statement, enumerable: false });
  return error;
}

describe('a rule that failed with SQL_FAILED', () => {
  const statement = 'SELECT count(*)\nFROM "public"."device_logs"\nWHERE (\ndevice_logs.origin = 1\n) AND "device_logs"."created_at" < $1::timestamptz';
  const error = serverError({ message: 'column device_logs.origin does not exist', code: '42703', position: '53', hint: 'Perhaps you meant to reference the column "device_logs.source".' }, statement);

  it('prints one line without --verbose', () => {
    expect(renderRuleFailure('device-logs', { code: 'SQL_FAILED', message: error.message }, error, false)).toBe(
      "lethe: rule 'device-logs': column device_logs.origin does not exist [SQL_FAILED]\n",
    );
  });

  it('with --verbose adds the SQLSTATE, the server hint and the statement with a caret under the position', () => {
    expect(renderRuleFailure('device-logs', { code: 'SQL_FAILED', message: error.message }, error, true)).toBe(
      [
        "lethe: rule 'device-logs': column device_logs.origin does not exist [SQL_FAILED]",
        'sqlstate: 42703',
        'server hint: Perhaps you meant to reference the column "device_logs.source".',
        'sql:',
        '  SELECT count(*)',
        '  FROM "public"."device_logs"',
        '  WHERE (',
        '  device_logs.origin = 1',
        '  ^',
        '  ) AND "device_logs"."created_at" < $1::timestamptz',
        '',
      ].join('\n'),
    );
  });

  it('never prints bound values: only placeholders, even when the error carries parameters', () => {
    const withValues = Object.assign(serverError({ message: 'division by zero', code: '22012' }, 'SELECT 1 WHERE $1::text = $2::text'), { parameters: ['alice@example.com', 'secret'] });
    const text = renderRuleFailure('r', { code: 'SQL_FAILED', message: 'division by zero' }, withValues, true);
    expect(text).toContain('SELECT 1 WHERE $1::text = $2::text');
    expect(text).not.toContain('alice@example.com');
    expect(text).not.toContain('secret');
  });
});

describe('a LetheError with a server error as its cause', () => {
  it('with --verbose names the SQLSTATE beside the server hint and the statement', () => {
    const cause = Object.assign(new Error('permission denied for schema lethe'), { code: '42501', hint: 'Grant CREATE on the database.' });
    const text = renderError(new LetheError('SQL_FAILED', 'cannot create or migrate the state schema "lethe"', { cause, sql: 'CREATE SCHEMA lethe' }), true);
    expect(text).toContain('\nsqlstate: 42501\n');
    expect(text).toContain('\nserver hint: Grant CREATE on the database.\n');
    expect(text).toContain('\nsql:\n  CREATE SCHEMA lethe\n');
  });
});
