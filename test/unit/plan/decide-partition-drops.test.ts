import { describe, expect, it } from 'vitest';
import { choosePartitionDrops, findDropCandidates, type PartitionNode } from '../../../src/plan/decide-partition-drops.js';
import { parsePartitionBound } from '../../../src/rules/parse-fragment.js';

function node(name: string, bound: string, overrides: Partial<PartitionNode> = {}): PartitionNode {
  return { schema: 'public', name, qualified: `public.${name}`, parent: 'public.payment', isLeaf: true, bound, parentStrategy: 'r', parentKey: ['payment_date'], pages: 1, ...overrides };
}

const JAN = node('p01', "FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')");
const OPEN_END = node('p_max', "FOR VALUES FROM ('2022-06-01') TO (MAXVALUE)");
const DEFAULT = node('p_default', 'DEFAULT');
const NO_FACTS = { published: false, deleteTriggers: false };

describe('parsePartitionBound', () => {
  it('reads range, list, hash and default bounds with the server grammar', () => {
    expect(parsePartitionBound("FOR VALUES FROM ('2022-01-01 00:00:00+00') TO ('2022-02-01 00:00:00+00')")).toEqual({
      kind: 'range',
      lower: [{ literal: '2022-01-01 00:00:00+00' }],
      upper: [{ literal: '2022-02-01 00:00:00+00' }],
    });
    expect(parsePartitionBound("FOR VALUES FROM (MINVALUE) TO ('2022-02-01')")).toMatchObject({ lower: [{ infinite: 'minvalue' }] });
    expect(parsePartitionBound('DEFAULT')).toEqual({ kind: 'default' });
    expect(parsePartitionBound("FOR VALUES IN ('a')")).toEqual({ kind: 'list' });
    expect(parsePartitionBound('FOR VALUES WITH (modulus 2, remainder 0)')).toEqual({ kind: 'hash' });
  });
});

describe('findDropCandidates', () => {
  it('offers range partitions on the clock column with a finite upper bound, nothing else', () => {
    const nodes = [JAN, OPEN_END, DEFAULT, node('by_amount', "FOR VALUES FROM ('1') TO ('2')", { parentKey: ['amount'] }), node('two_col', "FOR VALUES FROM ('2022-01-01', 1) TO ('2022-02-01', 1)", { parentKey: ['payment_date', 'id'] })];
    const { candidates } = findDropCandidates(nodes, 'payment_date', 'auto', NO_FACTS);
    expect(candidates).toEqual([{ node: JAN, upper: '2022-02-01', lower: '2022-01-01' }, { node: OPEN_END, upper: undefined, lower: '2022-06-01' }]);
  });

  it('offers nothing when the clock is not a column, or the rule says delete', () => {
    expect(findDropCandidates([JAN], undefined, 'auto', NO_FACTS).candidates).toEqual([]);
    expect(findDropCandidates([JAN], 'payment_date', 'delete', NO_FACTS).refusal).toMatch(/partitions: delete/);
    expect(findDropCandidates([JAN], undefined, 'auto', NO_FACTS).refusal).toMatch(/not a column/);
  });

  it('refuses published tables and DELETE triggers unless partitions: drop', () => {
    expect(findDropCandidates([JAN], 'payment_date', 'auto', { published: true, deleteTriggers: false }).refusal).toMatch(/publication/);
    expect(findDropCandidates([JAN], 'payment_date', 'auto', { published: false, deleteTriggers: true }).refusal).toMatch(/DELETE triggers/);
    expect(findDropCandidates([JAN], 'payment_date', 'drop', { published: true, deleteTriggers: true }).candidates).toHaveLength(1);
  });
});

describe('choosePartitionDrops', () => {
  it('drops the highest droppable node and walks the leaves outside it', () => {
    const month = node('m03', "FOR VALUES FROM ('2022-03-01') TO ('2022-04-01')", { isLeaf: false });
    const h0 = node('m03_h0', 'FOR VALUES WITH (modulus 2, remainder 0)', { parent: 'public.m03', parentStrategy: 'h', parentKey: ['id'] });
    const h1 = node('m03_h1', 'FOR VALUES WITH (modulus 2, remainder 1)', { parent: 'public.m03', parentStrategy: 'h', parentKey: ['id'] });
    const { drops, walk } = choosePartitionDrops([month, JAN, DEFAULT, h0, h1], new Set(['public.m03', 'public.p01']));
    expect(drops.map((n) => n.name)).toEqual(['m03', 'p01']);
    expect(walk.map((n) => n.name)).toEqual(['p_default']);
  });
});
