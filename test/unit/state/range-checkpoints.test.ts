import { describe, expect, it } from 'vitest';
import { splitPages } from '../../../src/state/range-checkpoints.js';

describe('splitPages: the page ranges of a walk split between workers', () => {
  it('covers every page once, in order, without gaps or overlaps', () => {
    const ranges = splitPages(10, 1_010, 8, 100);
    expect(ranges).toHaveLength(8);
    expect(ranges[0]!.fromPage).toBe(10);
    expect(ranges[ranges.length - 1]!.toPage).toBe(1_010);
    for (let index = 1; index < ranges.length; index++) expect(ranges[index]!.fromPage).toBe(ranges[index - 1]!.toPage);
    expect(ranges.every((range) => range.nextPage === range.fromPage && range.toPage > range.fromPage)).toBe(true);
    expect(ranges.map((range) => range.part)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('makes fewer ranges than asked when each would be below the minimum, and one for a small table', () => {
    expect(splitPages(0, 500, 16, 256)).toHaveLength(1);
    expect(splitPages(0, 600, 16, 256)).toHaveLength(2);
    expect(splitPages(0, 0, 4, 256)).toEqual([{ part: 0, fromPage: 0, toPage: 0, nextPage: 0 }]);
  });
});
