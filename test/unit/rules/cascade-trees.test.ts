import { describe, expect, it } from 'vitest';
import { formatProblem, parseRuleTexts } from '../../../src/rules/load-rules.js';

const settings = (text: string) => ({ path: 'rules/lethe.yaml', text, isSettings: true });
const rules = (text: string) => ({ path: 'rules/rentals.yaml', text, isSettings: false });
const TWO_KINDS = settings('holds:\n  customer: "SELECT customer_id FROM customer_hold"\n  staff: "SELECT staff_id FROM staff_hold"\n');

function ruleFile(extra: string): string {
  return `category: rentals
rules:
  - id: inactive-customers
    table: customer
    clock: customer.last_update
${extra}
    phases: [{ after: 1y, action: delete }]
`;
}

async function problemsOf(...texts: { path: string; text: string; isSettings: boolean }[]): Promise<string[]> {
  return (await parseRuleTexts(texts)).problems.map(formatProblem);
}

describe('cascade trees as written', () => {
  it('reads names, { table: [children] } and { table, subject, cascade } into one tree, each node knowing where it was written', async () => {
    const loaded = await parseRuleTexts([
      TWO_KINDS,
      rules(
        ruleFile(`    subject: { column: customer.customer_id, kind: customer }
    cascade:
      - rental: [payment, { table: payment_note, subject: { column: payment_note.author_id, kind: staff } }]
      - payment
      - table: sales.invoice
        cascade: [invoice_line]`),
      ),
    ]);
    expect(loaded.problems).toEqual([]);
    const rule = loaded.ruleSet!.rules[0]!;
    expect([rule.subject, rule.subjectKind]).toEqual(['customer.customer_id', 'customer']);
    const shape = (nodes: typeof rule.cascade): unknown[] =>
      nodes.map((node) => ({ table: [node.table.schema, node.table.name], subject: node.subject, kind: node.subjectKind, path: node.path.join('.'), children: shape(node.children) }));
    expect(shape(rule.cascade)).toEqual([
      {
        table: [undefined, 'rental'],
        subject: undefined,
        kind: undefined,
        path: 'cascade.0',
        children: [
          { table: [undefined, 'payment'], subject: undefined, kind: undefined, path: 'cascade.0.rental.0', children: [] },
          { table: [undefined, 'payment_note'], subject: 'payment_note.author_id', kind: 'staff', path: 'cascade.0.rental.1', children: [] },
        ],
      },
      { table: [undefined, 'payment'], subject: undefined, kind: undefined, path: 'cascade.1', children: [] },
      { table: ['sales', 'invoice'], subject: undefined, kind: undefined, path: 'cascade.2', children: [{ table: [undefined, 'invoice_line'], subject: undefined, kind: undefined, path: 'cascade.2.cascade.0', children: [] }] },
    ]);
  });

  it('names the entry that is wrong, at its line, whatever its depth', async () => {
    expect(
      await problemsOf(
        rules(
          ruleFile(`    cascade:
      - 42
      - rental: payment
      - { rental: [payment], staff: [payment] }
      - { table: rental, subjet: rental.customer_id }
      - rental: [{ payment: [7] }]`),
        ),
      ),
    ).toEqual([
      "rules/rentals.yaml:7:9 rules[0].cascade[0]: expected a table name (payment), a table with its children ({ rental: [payment] }) or { table: rental, subject: …, cascade: […] }",
      'rules/rentals.yaml:8:17 rules[0].cascade[1].rental: expected array, got string "payment"',
      'rules/rentals.yaml:9:9 rules[0].cascade[2]: expected one table with its children: { rental: [payment] }',
      "rules/rentals.yaml:10:26 rules[0].cascade[3].subjet: unknown key 'subjet' (did you mean 'subject'?)",
      "rules/rentals.yaml:11:30 rules[0].cascade[4].rental[0].payment[0]: expected a table name (payment), a table with its children ({ rental: [payment] }) or { table: rental, subject: …, cascade: […] }",
    ]);
  });
});

describe('kinds of subject', () => {
  it('a single holds.subjects query still serves subjects that name no kind', async () => {
    const loaded = await parseRuleTexts([settings('holds:\n  subjects: "SELECT user_id FROM legal_holds"\n'), rules(ruleFile('    subject: customer.customer_id'))]);
    expect(loaded.problems).toEqual([]);
    expect(loaded.ruleSet!.holds).toEqual({ subjects: 'SELECT user_id FROM legal_holds', kinds: { subjects: 'SELECT user_id FROM legal_holds' } });
  });

  it('one kind alone is the default kind', async () => {
    const loaded = await parseRuleTexts([settings('holds:\n  customer: "SELECT 1"\n'), rules(ruleFile('    subject: customer.customer_id'))]);
    expect(loaded.problems).toEqual([]);
    expect(loaded.ruleSet!.holds.subjects).toBe('SELECT 1');
  });

  it('refuses a kind lethe.yaml has no query for (with a suggestion), and a subject without a kind when there are several', async () => {
    expect(
      await problemsOf(
        TWO_KINDS,
        rules(
          ruleFile(`    subject: { column: customer.customer_id, kind: custmer }
    cascade:
      - table: rental
        subject: rental.staff_id`),
        ),
      ),
    ).toEqual([
      "rules/rentals.yaml:6:52 rules[0].subject.kind: no holds query for subjects of kind 'custmer' in lethe.yaml (did you mean 'customer'?); kinds: customer, staff",
      "rules/rentals.yaml:9:18 rules[0].cascade[0].subject: lethe.yaml holds several kinds of subject (customer, staff): name this one's, e.g. subject: { column: rental.staff_id, kind: customer }",
    ]);
  });

  it('refuses a kind that is not a lower-case name', async () => {
    expect(await problemsOf(settings('holds:\n  Customer: "SELECT 1"\n'), rules(ruleFile('')))).toEqual([
      'rules/lethe.yaml:2:3 holds.Customer: expected a subject kind like customer or staff (lower case)',
    ]);
  });
});
