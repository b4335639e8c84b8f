import { describe, expect, it } from 'vitest';
import { eraseActionOf } from '../../../src/requests/erase-action.js';
import { fitsType } from '../../../src/requests/attach-subjects.js';
import { matchesKind, selectEraseRules } from '../../../src/requests/select-erase-rules.js';
import { normalizeHolds, type RuleSet } from '../../../src/rules/types.js';
import { buildPhase, buildRule } from '../../support/rule-builders.js';

const anonymize = buildPhase({ index: 0, after: { text: '30d', amount: 30, unit: 'd' }, action: 'anonymize', set: [{ column: 'ip', strategy: { kind: 'null' } }] });
const remove = buildPhase({ index: 1, after: { text: '180d', amount: 180, unit: 'd' }, action: 'delete' });

describe('eraseActionOf', () => {
  it("applies the rule's final phase now, whatever its after", () => {
    const action = eraseActionOf(buildRule({ phases: [anonymize, remove] }));
    expect(action).toMatchObject({ kind: 'apply', from: 'final-phase', phase: { action: 'delete', after: { text: 'request' } } });
  });

  it('request: skip keeps the rows with its reason; delete and anonymize override the final action', () => {
    expect(eraseActionOf(buildRule({ request: { action: 'skip', set: [], mark: undefined, reason: 'tax law' } }))).toEqual({ kind: 'skip', reason: 'tax law' });
    expect(eraseActionOf(buildRule({ phases: [anonymize], request: { action: 'delete', set: [], mark: undefined, reason: undefined } }))).toMatchObject({ phase: { action: 'delete', set: [] } });
    const fromPhase = eraseActionOf(buildRule({ phases: [anonymize, remove], request: { action: 'anonymize', set: [], mark: undefined, reason: undefined } }));
    expect(fromPhase).toMatchObject({ phase: { action: 'anonymize', set: anonymize.set } });
  });
});

describe('kinds of subject', () => {
  const holds = normalizeHolds({ customer: 'SELECT 1', staff: 'SELECT 2' });
  const customer = buildRule({ id: 'customers', subjectKind: 'customer' });
  const staff = buildRule({ id: 'staff', subjectKind: 'staff' });

  it('a request about staff touches only rules whose subject is staff', () => {
    expect(matchesKind(staff, 'staff', holds)).toBe(true);
    expect(matchesKind(customer, 'staff', holds)).toBe(false);
    const ruleSet = { rules: [customer, staff], holds, defaults: {} as RuleSet['defaults'], files: [] } as RuleSet;
    expect(selectEraseRules(ruleSet, 'staff', undefined).applied.map((rule) => rule.id)).toEqual(['staff']);
  });

  it('an unknown --kind is a usage error naming the flag', () => {
    const ruleSet = { rules: [customer], holds, defaults: {} as RuleSet['defaults'], files: [] } as RuleSet;
    expect(() => selectEraseRules(ruleSet, 'custmer', undefined)).toThrow(/^--kind: no subjects of kind 'custmer'/);
  });

  it('a rule without a kind belongs to the default kind', () => {
    const single = normalizeHolds({ subjects: 'SELECT 1' });
    expect(matchesKind(buildRule(), undefined, single)).toBe(true);
    expect(matchesKind(buildRule(), 'subjects', single)).toBe(true);
  });
});

describe('fitsType', () => {
  it('keeps ids an integer or uuid column can hold: others name nobody there', () => {
    expect(fitsType('42', 'bigint')).toBe(true);
    expect(fitsType('abc', 'bigint')).toBe(false);
    expect(fitsType('99999999999', 'integer')).toBe(false);
    expect(fitsType('0b5e7a3c-1d2e-4f50-8a9b-0c1d2e3f4a5b', 'uuid')).toBe(true);
    expect(fitsType('42', 'uuid')).toBe(false);
  });
});
