import { describe, expect, it } from 'vitest';
import { suggestClosest } from '../../../src/rules/did-you-mean.js';

const RULE_KEYS = ['id', 'description', 'table', 'key', 'subject', 'clock', 'join', 'where', 'hold', 'schedule', 'timezone', 'cascade', 'batch', 'phases'];
const PHASE_KEYS = ['after', 'action', 'set', 'mark'];

describe('suggestClosest', () => {
  it('suggests the known key for a swapped pair of letters (tabel -> table)', () => {
    expect(suggestClosest('tabel', RULE_KEYS)).toBe('table');
    expect(suggestClosest('scheduel', RULE_KEYS)).toBe('schedule');
  });

  it('suggests the known key for a dropped letter (afer -> after, acton -> action)', () => {
    expect(suggestClosest('afer', PHASE_KEYS)).toBe('after');
    expect(suggestClosest('acton', PHASE_KEYS)).toBe('action');
  });

  it('suggests the known key for an added or changed letter (phasess -> phases, clack -> clock)', () => {
    expect(suggestClosest('phasess', RULE_KEYS)).toBe('phases');
    expect(suggestClosest('clack', RULE_KEYS)).toBe('clock');
  });

  it('ignores case when comparing but answers with the known spelling', () => {
    expect(suggestClosest('Table', RULE_KEYS)).toBe('table');
    expect(suggestClosest('maxrows', ['target', 'maxRows'])).toBe('maxRows');
  });

  it('allows one edit for words under four letters (ky -> key) but not two (kx -> nothing)', () => {
    expect(suggestClosest('ky', RULE_KEYS)).toBe('key');
    expect(suggestClosest('xyz', RULE_KEYS)).toBeUndefined();
  });

  it('allows about a third of a long word to differ (descripton -> description) but not more', () => {
    expect(suggestClosest('descripton', RULE_KEYS)).toBe('description');
    expect(suggestClosest('retention', RULE_KEYS)).toBeUndefined();
  });

  it('suggests nothing when no known word is close, or none is known', () => {
    expect(suggestClosest('frobnicate', PHASE_KEYS)).toBeUndefined();
    expect(suggestClosest('table', [])).toBeUndefined();
  });

  it('answers with the first of equally close words, so the hint is stable', () => {
    expect(suggestClosest('cat', ['bat', 'cap'])).toBe('bat');
  });
});
