import { describe, expect, it } from 'vitest';
import type { SchemaFacts, TableFacts } from '../../../src/classify/read-schema-facts.js';
import type { ColumnFacts } from '../../../src/classify/types.js';
import { classifySchema } from '../../../src/classify/classify-schema.js';
import { draftRules } from '../../../src/init/draft-rules.js';
import { parseRuleTexts } from '../../../src/rules/load-rules.js';

const TYPES: Record<string, Pick<ColumnFacts, 'type' | 'category' | 'baseType'>> = {
  bigint: { type: 'bigint', category: 'N', baseType: 'int8' },
  text: { type: 'text', category: 'S', baseType: 'text' },
  timestamptz: { type: 'timestamp with time zone', category: 'D', baseType: 'timestamptz' },
};

function table(name: string, columns: Record<string, keyof typeof TYPES>, unique: string[][] = []): TableFacts {
  return {
    name, schema: 'public', relname: name, readable: true, comment: undefined, primaryKey: ['id'], unique: [['id'], ...unique],
    columns: Object.entries(columns).map(([column, type]) => ({ table: name, schema: 'public', column, ...TYPES[type]!, comment: undefined, notNull: column === 'id' })),
  };
}

const facts: SchemaFacts = {
  searchPath: ['public'],
  tables: [
    table('customers', { id: 'bigint', email: 'text', full_name: 'text', deleted_at: 'timestamptz' }, [['email']]),
    table('orders', { id: 'bigint', customer_id: 'bigint', shipping_address: 'text', created_at: 'timestamptz' }),
    table('order_items', { id: 'bigint', order_id: 'bigint', sku: 'text' }),
    table('legal_holds', { id: 'bigint', customer_id: 'bigint', lifted_at: 'timestamptz' }),
  ],
  foreignKeys: [
    { table: 'orders', columns: ['customer_id'], referencedTable: 'customers', referencedColumns: ['id'], onDelete: 'a' },
    { table: 'order_items', columns: ['order_id'], referencedTable: 'orders', referencedColumns: ['id'], onDelete: 'r' },
    { table: 'legal_holds', columns: ['customer_id'], referencedTable: 'customers', referencedColumns: ['id'], onDelete: 'r' },
  ],
};

describe('draftRules', () => {
  const draft = draftRules(facts, classifySchema(facts, {}), { style: 'anonymize' });
  const text = (name: string) => draft.files.find((file) => file.name === name)!.text;

  it('writes one file per person table and lethe.yaml with the holds query it could infer', () => {
    expect(draft.files.map((file) => file.name)).toEqual(['customers.yaml', 'lethe.yaml']);
    expect(draft.rules.map((rule) => rule.id)).toEqual(['customers', 'orders', 'order-items']);
    expect(text('lethe.yaml')).toContain('subjects: SELECT customer_id FROM legal_holds WHERE lifted_at IS NULL');
    expect(draft.skipped).toEqual([{ table: 'legal_holds', reason: 'a table of legal holds: lethe.yaml reads it in `holds`' }]);
  });

  it('lists blocking foreign keys in cascade, joins to the parent for the subject, and clocks through the person where a table has no time', () => {
    expect(text('customers.yaml')).toContain('    cascade: [order_items]');
    expect(text('customers.yaml')).toContain('    join: "JOIN orders ON orders.id = order_items.order_id JOIN customers ON customers.id = orders.customer_id"');
    expect(text('customers.yaml')).toContain('    subject: orders.customer_id\n');
    expect(text('customers.yaml')).toContain('    clock: customers.deleted_at\n');
    expect(text('customers.yaml')).toContain('    clock: orders.created_at\n');
  });

  it('leaves a unique email to a person with a TODO, and parses without an error but its TODO warnings', async () => {
    expect(text('customers.yaml')).toContain('# TODO: email: unique');
    const loaded = await parseRuleTexts(draft.files.map((file) => ({ path: file.name, text: file.text, isSettings: file.name === 'lethe.yaml' })));
    expect(loaded.problems.filter((problem) => problem.check !== 'todo')).toEqual([]);
    expect(loaded.problems.length).toBeGreaterThan(3);
    expect(loaded.ruleSet?.rules.find((rule) => rule.id === 'customers')?.keep?.map((kept) => kept.column)).toEqual(['deleted_at']);
  });

  it('splits a large group into files under the rule-file size limit, each of the same category', async () => {
    const many: SchemaFacts = {
      ...facts,
      tables: [...facts.tables, ...Array.from({ length: 400 }, (_, index) => table(`events_${index}`, { id: 'bigint', customer_id: 'bigint', client_ip: 'text', note: 'text', created_at: 'timestamptz' }))],
      foreignKeys: [...facts.foreignKeys, ...Array.from({ length: 400 }, (_, index) => ({ table: `events_${index}`, columns: ['customer_id'], referencedTable: 'customers', referencedColumns: ['id'], onDelete: 'c' }))],
    };
    const big = draftRules(many, classifySchema(many, {}), { style: 'anonymize' });
    expect(big.files.map((file) => file.name)).toEqual(['customers.yaml', 'customers-2.yaml', 'lethe.yaml']);
    for (const file of big.files) expect(Buffer.byteLength(file.text)).toBeLessThan(256 * 1024);
    const loaded = await parseRuleTexts(big.files.map((file) => ({ path: file.name, text: file.text, isSettings: file.name === 'lethe.yaml' })));
    expect(loaded.problems.filter((problem) => problem.check !== 'todo')).toEqual([]);
    expect(loaded.ruleSet!.rules).toHaveLength(403);
    expect(new Set(big.rules.map((rule) => rule.file))).toEqual(new Set(['customers.yaml', 'customers-2.yaml']));
  }, 60_000);
});
