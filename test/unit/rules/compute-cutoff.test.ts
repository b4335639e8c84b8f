import { describe, expect, it } from 'vitest';
import { computeCutoff } from '../../../src/plan/compute-cutoff.js';
import { approximateMs, parseDuration, toIntervalLiteral } from '../../../src/rules/parse-duration.js';

describe('parseDuration', () => {
  it.each([
    ['45m', 45, 'm'],
    ['36h', 36, 'h'],
    ['30d', 30, 'd'],
    ['2w', 2, 'w'],
    ['6mo', 6, 'mo'],
    ['1y', 1, 'y'],
  ] as const)('reads %s as amount %i and unit %s, keeping the text as written', (text, amount, unit) => {
    expect(parseDuration(text)).toEqual({ text, amount, unit });
  });

  it('reads 0, written as a YAML number or a string, as zero days', () => {
    expect(parseDuration(0)).toEqual({ text: '0', amount: 0, unit: 'd' });
    expect(parseDuration('0')).toEqual({ text: '0', amount: 0, unit: 'd' });
  });

  it.each(['30x', '-1d', '1.5d', '30', '01d', '0d', '', ' 30d', '30 d', '1M', 'd'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(`not a duration: ${text}`);
  });

  it('writes months and years as calendar intervals PostgreSQL understands', () => {
    expect(toIntervalLiteral(parseDuration('6mo'))).toBe('6 months');
    expect(toIntervalLiteral(parseDuration('1y'))).toBe('1 years');
    expect(toIntervalLiteral(parseDuration('45m'))).toBe('45 minutes');
    expect(toIntervalLiteral(parseDuration('2w'))).toBe('2 weeks');
  });

  it('orders durations of different units by their approximate length', () => {
    const ordered = ['45m', '36h', '2d', '2w', '6mo', '1y'].map((text) => approximateMs(parseDuration(text)));
    expect([...ordered].sort((a, b) => a - b)).toEqual(ordered);
    expect(approximateMs(parseDuration('2w'))).toBe(approximateMs(parseDuration('14d')));
  });
});

/** Expected values were checked against PostgreSQL 15: `timestamptz 'now' - interval '...'` with TimeZone UTC. */
describe('computeCutoff', () => {
  const cutoff = (now: string, duration: string) => computeCutoff(new Date(now), parseDuration(duration)).toISOString();

  it('clamps the day of month like PostgreSQL: 2026-03-31 minus 1mo is 2026-02-28', () => {
    expect(cutoff('2026-03-31T00:00:00.000Z', '1mo')).toBe('2026-02-28T00:00:00.000Z');
  });

  it('clamps 29 February to the 28th a year earlier: 2028-02-29 minus 1y is 2027-02-28', () => {
    expect(cutoff('2028-02-29T00:00:00.000Z', '1y')).toBe('2027-02-28T00:00:00.000Z');
  });

  it('keeps 29 February in a leap year: 2028-03-31 minus 1mo is 2028-02-29', () => {
    expect(cutoff('2028-03-31T00:00:00.000Z', '1mo')).toBe('2028-02-29T00:00:00.000Z');
  });

  it('keeps the time of day when subtracting months: 2026-05-31 13:45:12.345 minus 3mo is 2026-02-28 13:45:12.345', () => {
    expect(cutoff('2026-05-31T13:45:12.345Z', '3mo')).toBe('2026-02-28T13:45:12.345Z');
  });

  it('crosses year boundaries: 2026-01-15 minus 1mo is 2025-12-15, 2026-08-31 minus 6mo is 2026-02-28', () => {
    expect(cutoff('2026-01-15T00:00:00.000Z', '1mo')).toBe('2025-12-15T00:00:00.000Z');
    expect(cutoff('2026-08-31T00:00:00.000Z', '6mo')).toBe('2026-02-28T00:00:00.000Z');
  });

  it('does not clamp when the day exists: 2026-02-28 minus 1mo is 2026-01-28, not the end of January', () => {
    expect(cutoff('2026-02-28T00:00:00.000Z', '1mo')).toBe('2026-01-28T00:00:00.000Z');
  });

  it('subtracts years as twelve months: 2030-02-28 minus 2y is 2028-02-28', () => {
    expect(cutoff('2030-02-28T00:00:00.000Z', '2y')).toBe('2028-02-28T00:00:00.000Z');
  });

  it('subtracts days as exact 24-hour steps in UTC: 2026-11-25 minus 180d is 2026-05-29', () => {
    expect(cutoff('2026-11-25T00:00:00.000Z', '180d')).toBe('2026-05-29T00:00:00.000Z');
  });

  it('subtracts minutes, hours and weeks exactly', () => {
    expect(cutoff('2026-11-25T00:00:00.000Z', '45m')).toBe('2026-11-24T23:15:00.000Z');
    expect(cutoff('2026-11-25T00:00:00.000Z', '36h')).toBe('2026-11-23T12:00:00.000Z');
    expect(cutoff('2026-11-25T00:00:00.000Z', '2w')).toBe('2026-11-11T00:00:00.000Z');
  });

  it('returns now itself for a duration of 0', () => {
    expect(cutoff('2026-11-25T08:30:00.000Z', '0')).toBe('2026-11-25T08:30:00.000Z');
  });

  it('does not change the Date it is given', () => {
    const now = new Date('2026-03-31T00:00:00.000Z');
    computeCutoff(now, parseDuration('1mo'));
    expect(now.toISOString()).toBe('2026-03-31T00:00:00.000Z');
  });
});
