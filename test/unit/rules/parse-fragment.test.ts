import { describe, expect, it } from 'vitest';
import { checkFragment, readBareColumn, readFragmentReferences } from '../../../src/rules/parse-fragment.js';
import { fragment, joinFragment } from '../../../src/sql/quote.js';

const target = { schema: undefined, name: 'logs' };

describe('checkFragment: where and hold are one boolean expression', () => {
  it.each([
    "logs.source <> 'internal'",
    "logs.source = 'a;b' AND logs.note = 'it''s ) OR ( fine'",
    'logs.id IN (SELECT id FROM other WHERE other.flag)',
    "logs.x = $$a) OR (b$$",
    'logs.x = 1 -- a comment; with ) OR ( in it',
    '"odd;column" IS NULL',
  ])('accepts %s', (text) => {
    expect(checkFragment('predicate', text)).toBeUndefined();
  });

  it.each([
    ["logs.source <> 'internal') OR (logs.source = 'app'", 'sql-syntax'],
    ['true\n) OR (true', 'sql-syntax'],
    ['true) OR (true --', 'sql-syntax'],
    ['a = 1; DROP TABLE users', 'sql-shape'],
    ['a = 1;', 'sql-syntax'],
    ["a = 'unterminated", 'sql-syntax'],
    ['a = 1 /* open comment', 'sql-syntax'],
    ['$1 > now()', 'sql-parameter'],
    ['logs.id = ANY($2)', 'sql-parameter'],
    ['true FROM users', 'sql-shape'],
    ['true, false', 'sql-shape'],
    ['true AS x', 'sql-shape'],
    ['true UNION SELECT false', 'sql-shape'],
    ['true ORDER BY 1', 'sql-shape'],
    ['true LIMIT 1', 'sql-shape'],
    ['true FOR UPDATE', 'sql-shape'],
    ['true INTO t', 'sql-shape'],
    ["set_config('standard_conforming_strings', 'off', false) <> ''", 'sql-shape'],
    ["pg_catalog.SET_CONFIG('x.y', 'z', false) IS NOT NULL", 'sql-shape'],
    ['EXISTS (WITH d AS (DELETE FROM users RETURNING id) SELECT 1 FROM d)', 'sql-shape'],
    ['', 'sql-shape'],
  ])('refuses %j (%s)', (text, check) => {
    expect(checkFragment('predicate', text)?.check).toBe(check);
  });

  it('gives the offset of a syntax error inside the fragment', () => {
    const problem = checkFragment('predicate', "a = 1) OR (b = 2");
    expect(problem?.offset).toBe(5);
    expect(problem?.message).toMatch(/syntax error at or near "\)" at character 6 of the fragment/);
  });
});

describe('checkFragment: clock and subject are one value expression', () => {
  it.each(['logs.created_at', 'coalesce(logs.updated_at, logs.created_at)', '"Invoice"."InvoiceDate"', "(SELECT max(i.at) FROM i WHERE i.u = logs.u)"])('accepts %s', (text) => {
    expect(checkFragment('value', text)).toBeUndefined();
  });

  it.each(['logs.created_at) OR (true', 'logs.created_at, 1', 'now() FROM users', '$1'])('refuses %j', (text) => {
    expect(checkFragment('value', text)).toBeDefined();
  });
});

describe('checkFragment: join is join clauses off the rule table', () => {
  it.each([
    'JOIN users ON users.id = logs.user_id',
    'LEFT JOIN users u ON u.id = logs.user_id JOIN orgs ON orgs.id = u.org_id',
    'JOIN (SELECT user_id, max(at) AS last FROM invoices GROUP BY user_id) last ON last.user_id = logs.user_id',
  ])('accepts %s', (text) => {
    expect(checkFragment('join', text, target)).toBeUndefined();
  });

  it.each([
    ['JOIN users ON true WHERE true OR true', 'sql-shape'],
    ['JOIN users ON users.id = logs.user_id, other', 'sql-shape'],
    ['JOIN users ON true LIMIT 1', 'sql-shape'],
    ['JOIN users ON true; DELETE FROM users', 'sql-shape'],
    ['JOIN users ON users.id = $1', 'sql-parameter'],
    ['JOIN users ON (true', 'sql-syntax'],
    ['WHERE true', 'sql-shape'],
    ['JOIN users ON true UNION SELECT 1 FROM x', 'sql-shape'],
  ])('refuses %j (%s)', (text, check) => {
    expect(checkFragment('join', text, target)?.check).toBe(check);
  });
});

describe('checkFragment: holds.subjects is one SELECT of one column', () => {
  it.each(['SELECT user_id FROM legal_holds WHERE released_at IS NULL', 'SELECT a FROM x UNION SELECT b FROM y', 'WITH h AS (SELECT 1 AS id) SELECT id FROM h'])('accepts %s', (text) => {
    expect(checkFragment('query', text)).toBeUndefined();
  });

  it.each([
    'SELECT user_id, 1 FROM legal_holds',
    'SELECT * FROM legal_holds',
    'SELECT user_id FROM legal_holds; DELETE FROM legal_holds',
    'SELECT user_id FROM legal_holds) OR (true',
    'DELETE FROM legal_holds RETURNING user_id',
    'SELECT user_id FROM legal_holds FOR UPDATE',
    'SELECT user_id INTO x FROM legal_holds',
    'VALUES (1)',
    'SELECT user_id FROM legal_holds WHERE id = $1',
  ])('refuses %j', (text) => {
    expect(checkFragment('query', text)).toBeDefined();
  });
});

describe('embedding', () => {
  it('puts an accepted fragment on its own lines inside parentheses', () => {
    expect(fragment('a = 1 -- note', 'predicate')).toBe('(\na = 1 -- note\n)');
    expect(joinFragment('JOIN u ON u.id = logs.u', target)).toBe('\nJOIN u ON u.id = logs.u\n');
  });

  it('refuses to embed a fragment that was never valid, whoever calls it', () => {
    expect(() => fragment("x <> 'a') OR (x = 'b'", 'predicate')).toThrow(/SQL fragment was refused/);
    expect(() => joinFragment('JOIN u ON true WHERE true', target)).toThrow(/SQL fragment was refused/);
  });
});

describe('references from the parse tree', () => {
  it('names the tables and columns a fragment reads', () => {
    const refs = readFragmentReferences('join', 'JOIN "Invoice" i ON i."CustomerId" = logs.id JOIN store.x ON true');
    expect(refs.tables).toEqual([{ schema: undefined, name: 'Invoice' }, { schema: 'store', name: 'x' }]);
    expect(refs.columns).toContainEqual(['i', 'CustomerId']);
  });

  it('reads a bare clock column, quoted or qualified', () => {
    expect(readBareColumn('created_at')).toEqual({ table: undefined, column: 'created_at' });
    expect(readBareColumn('"store"."Invoice"."InvoiceDate"')).toEqual({ table: 'Invoice', column: 'InvoiceDate' });
    expect(readBareColumn('coalesce(a, b)')).toBeUndefined();
  });
});
