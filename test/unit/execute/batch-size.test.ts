import { describe, expect, it } from 'vitest';
import { createBatchSizer } from '../../../src/execute/batch-size.js';

describe('adaptive batch size', () => {
  it('grows at most 1.5x per batch while batches are fast', () => {
    const sizer = createBatchSizer({ targetMs: 250, maxRows: 50_000, initial: 1000 });
    const sizes = [sizer.size];
    for (let batch = 0; batch < 5; batch++) {
      sizer.record(sizer.size, 1);
      sizes.push(sizer.size);
    }
    expect(sizes).toEqual([1000, 1500, 2250, 3375, 5062, 7593]);
  });

  it('settles below the target duration when a batch takes time in proportion to its rows', () => {
    const sizer = createBatchSizer({ targetMs: 250, maxRows: 1_000_000, initial: 1000 });
    for (let batch = 0; batch < 40; batch++) sizer.record(sizer.size, sizer.size / 100); // 100 rows per ms
    expect(sizer.size / 100).toBeLessThanOrEqual(250);
    expect(sizer.size / 100).toBeGreaterThan(150);
  });

  it('cuts hard when a batch overshoots the target, and to a quarter on a statement timeout', () => {
    const sizer = createBatchSizer({ targetMs: 250, maxRows: 50_000, initial: 10_000 });
    sizer.record(10_000, 1000);
    expect(sizer.size).toBe(1400);
    sizer.recordTimeout();
    expect(sizer.size).toBe(350);
  });

  it('never exceeds maxRows, and a fixed --batch-size never changes', () => {
    const capped = createBatchSizer({ targetMs: 250, maxRows: 1200, initial: 1000 });
    capped.record(1000, 1);
    expect(capped.size).toBe(1200);
    const fixed = createBatchSizer({ targetMs: 250, maxRows: 50_000, fixed: 500 });
    fixed.record(500, 5000);
    fixed.recordTimeout();
    expect(fixed.size).toBe(500);
  });
});
