import { describe, expect, it } from 'vitest';
import { documentWriter, buildHeader, type ExportTableSummary } from '../../../src/requests/export-document.js';
import { columnNamesFor } from '../../../src/requests/read-subject-references.js';
import { selectSubjectRules } from '../../../src/requests/select-subject-rules.js';
import { loadRules } from '../../../src/rules/load-rules.js';
import type { TableInfo } from '../../../src/catalog/types.js';
import { buildRule } from '../../support/rule-builders.js';

function table(name: string): TableInfo {
  return { schema: 'public', name, qualified: `"public"."${name}"`, kind: 'table', columns: new Map(), primaryKey: ['id'], indexes: [], referencedBy: [], references: [], estimatedRows: 0 };
}

describe('the export document', () => {
  const summary: ExportTableSummary = { category: 'a', table: 't', rules: ['r'], rows: 1, exported: true, omittedColumns: [] };

  function write(tables: [string, string, string[]][]): string {
    const writer = documentWriter('json');
    let text = writer.open(buildHeader([summary], undefined, new Date('2026-01-01T00:00:00Z')));
    let last: string | undefined;
    for (const [category, name, rows] of tables) {
      text += writer.startTable(category, name, category !== last, last);
      last = category;
      rows.forEach((row, index) => (text += writer.row(category, name, row, index === 0)));
      text += writer.endTable();
    }
    return text + writer.close(tables.length > 0);
  }

  it('is one valid JSON document grouped by category and table, whatever the number of tables', () => {
    expect(JSON.parse(write([])).categories).toEqual({});
    const document = JSON.parse(write([['a', 't', ['{"id":1}', '{"id":2}']], ['a', 'u', ['{"id":3}']], ['b', 'v', ['{"id":"x"}']]]));
    expect(document.categories).toEqual({ a: { t: [{ id: 1 }, { id: 2 }], u: [{ id: 3 }] }, b: { v: [{ id: 'x' }] } });
    expect(document).toMatchObject({ lethe: 1, mode: 'export', status: 'ok', rows: 1, kind: null });
  });

  it('says not-found when no table holds a row', () => {
    expect(buildHeader([{ ...summary, rows: 0 }], 'customer', new Date()).status).toBe('not-found');
  });

  it('writes one line per row in JSON Lines, naming its category and table', () => {
    expect(JSON.parse(documentWriter('jsonl').row('a', 't', '{"id":1}', true))).toEqual({ category: 'a', table: 't', row: { id: 1 } });
  });
});

describe('columns named like a reference to a subject table', () => {
  it.each([
    ['users', 'id', ['user_id', 'users_id']],
    ['categories', 'id', ['category_id', 'categories_id']],
    ['customer', 'customer_id', ['customer_id']],
    ['address', 'id', ['address_id']],
  ])('%s.%s -> %j', (name, column, expected) => {
    expect(columnNamesFor({ table: table(name), column })).toEqual(expected);
  });
});

describe('the rules a request uses', () => {
  const rules = [
    buildRule({ id: 'a', subject: 'a.customer_id', subjectKind: 'customer' }),
    buildRule({ id: 'b', subject: 'b.staff_id', subjectKind: 'staff' }),
    buildRule({ id: 'c', subject: undefined }),
  ];

  it('are those of the kind asked for', () => {
    expect(selectSubjectRules(rules, 'staff').map((rule) => rule.id)).toEqual(['b']);
  });

  it('need --kind when several kinds and no default exist, and name the kinds when the kind is unknown', () => {
    expect(() => selectSubjectRules(rules, undefined)).toThrow(/--kind is needed.*customer, staff/);
    expect(() => selectSubjectRules(rules, 'vendor')).toThrow(/--kind: no rule names a subject of kind 'vendor'/);
  });

  it('are the default kind without --kind, or the only kind', () => {
    expect(selectSubjectRules([...rules, buildRule({ id: 'd' })], undefined).map((rule) => rule.id)).toEqual(['d']);
    expect(selectSubjectRules([rules[0]!], undefined).map((rule) => rule.id)).toEqual(['a']);
  });
});

describe('the export rule key', () => {
  it('reads export: false and export: { omit }, and refuses an empty omit list and unknown keys with their place', async () => {
    const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const folder = mkdtempSync(join(tmpdir(), 'lethe-export-key-'));
    try {
      const rule = (id: string, extra: string) => `  - id: ${id}\n    table: t\n    subject: t.user_id\n    clock: t.created_at\n${extra}    phases: [{ after: 1d, action: delete }]\n`;
      writeFileSync(join(folder, 'a.yaml'), `category: a\nrules:\n${rule('hidden', '    export: false\n')}${rule('some', '    export: { omit: [password_hash, "Reset Token"] }\n')}${rule('all', '')}`);
      const { ruleSet, problems } = await loadRules(folder);
      expect(problems).toEqual([]);
      expect(ruleSet!.rules.map((candidate) => candidate.export)).toEqual([{ include: false, omit: [] }, { include: true, omit: ['password_hash', 'Reset Token'] }, { include: true, omit: [] }]);

      writeFileSync(join(folder, 'a.yaml'), `category: a\nrules:\n${rule('empty', '    export: { omit: [] }\n')}${rule('typo', '    export: { omitt: [x] }\n')}`);
      const bad = await loadRules(folder);
      expect(bad.problems.map((problem) => `${problem.line} ${problem.path}`)).toEqual(['7 rules[0].export.omit', '13 rules[1].export.omitt']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
