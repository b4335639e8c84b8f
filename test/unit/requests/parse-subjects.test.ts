import { describe, expect, it } from 'vitest';
import { collectSubjects, parseRequestId, parseSubjectsFile } from '../../../src/requests/parse-subjects.js';

describe('parseSubjectsFile', () => {
  it('reads one id per line, skipping blank lines and # comment lines, trimming spaces and a BOM', () => {
    expect(parseSubjectsFile('\uFEFF# people of ticket 42\n17\n\n  23  \r\n# done\n42\n', 'ids.txt')).toEqual(['17', '23', '42']);
  });

  it('reads thousands of ids', () => {
    const text = Array.from({ length: 20_000 }, (_, index) => String(index + 1)).join('\n');
    expect(parseSubjectsFile(text, 'ids.txt')).toHaveLength(20_000);
  });

  it('refuses a line with two values, naming the file and line but never the value', () => {
    expect(() => parseSubjectsFile('17\nsecret@example.com, 23\n', 'ids.txt')).toThrow(/^--subjects-file ids\.txt line 2: expected one id per line/);
    try {
      parseSubjectsFile('17\nsecret@example.com, 23\n', 'ids.txt');
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('secret');
    }
  });
});

describe('collectSubjects', () => {
  it('merges --subject values and the file, once each, in first-seen order', () => {
    expect(collectSubjects(['5', '7'], ['7', '9'])).toEqual(['5', '7', '9']);
  });

  it('refuses no ids at all, naming the flags, and an empty file by its name', () => {
    expect(() => collectSubjects([], undefined)).toThrow(/--subject ID or --subjects-file FILE/);
    expect(() => collectSubjects([], [], 'empty.txt')).toThrow(/--subjects-file empty\.txt: no ids in the file/);
    expect(() => collectSubjects([' '], undefined)).toThrow(/--subject: an empty id/);
  });
});

describe('parseRequestId', () => {
  it('accepts ticket-like ids and refuses others by the flag', () => {
    expect(parseRequestId('REQ-2026-0042')).toBe('REQ-2026-0042');
    expect(parseRequestId(undefined)).toBeUndefined();
    expect(() => parseRequestId('bob smith')).toThrow(/^--request-id: expected letters/);
  });
});
