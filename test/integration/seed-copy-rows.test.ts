import type { ClientBase } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyRows, type CopyRow } from '../../src/bench3d/copy-rows.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('copyRows', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
    await database.db.raw('create table awkward (id int primary key, label text, tags text[], doc jsonb, at timestamptz, flag boolean, addr inet)');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('round-trips the characters COPY treats specially, arrays, json and NULL', async () => {
    const rows: CopyRow[] = [
      [1, 'tab\there, newline\nthere, return\r, backslash \\ and \\N', ['a,b', 'quote " and {brace}', 'back\\slash', ''], { text: 'line\nbreak\t"q" \\' }, new Date('2026-01-02T03:04:05.678Z'), true, '2001:db8::1'],
      [2, '\\N', [], null, null, false, '10.0.0.1'],
      [3, null, null, { 汉字: '模型' }, new Date('2024-02-29T00:00:00.000Z'), null, null],
    ];
    const client = (await database.db.client.acquireConnection()) as ClientBase;
    try {
      expect(await copyRows(client, { table: 'awkward', columns: ['id', 'label', 'tags', 'doc', 'at', 'flag', 'addr'] }, [rows.slice(0, 2), rows.slice(2)])).toBe(3);
    } finally {
      await database.db.client.releaseConnection(client);
    }
    const back = await database.db('awkward').orderBy('id');
    expect(back).toEqual([
      { id: 1, label: rows[0]![1], tags: rows[0]![2], doc: rows[0]![3], at: rows[0]![4], flag: true, addr: '2001:db8::1' },
      { id: 2, label: '\\N', tags: [], doc: null, at: null, flag: false, addr: '10.0.0.1' },
      { id: 3, label: null, tags: null, doc: { 汉字: '模型' }, at: rows[2]![4], flag: null, addr: null },
    ]);
  });
});
