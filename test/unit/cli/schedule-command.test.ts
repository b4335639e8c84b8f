import { CronExpressionParser } from 'cron-parser';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRulesOrThrow } from '../../../src/rules/load-rules.js';
import { runCli } from '../../support/run-cli.js';

const RULES = fileURLToPath(new URL('../../../rules/', import.meta.url));
const NOW = '2026-11-25T00:00:00Z';

describe('lethe schedule', () => {
  it('prints, for every Bench3D rule, the next fire times cron-parser gives in the rule timezone', async () => {
    const result = await runCli(['schedule', '--rules', RULES, '--now', NOW, '--count', '4', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout) as { now: string; rules: { id: string; schedule: string | null; timezone: string; next: string[] }[] };
    const { ruleSet } = await loadRulesOrThrow(RULES);
    expect(printed.now).toBe('2026-11-25T00:00:00.000Z');
    expect(printed.rules.map((rule) => rule.id)).toEqual(ruleSet.rules.map((rule) => rule.id));
    for (const rule of ruleSet.rules) {
      // A rule only requests apply (accounts: a NULL clock) has no schedule and never fires.
      if (rule.schedule === undefined) {
        expect(printed.rules.find((candidate) => candidate.id === rule.id)).toMatchObject({ schedule: null, next: [] });
        continue;
      }
      const iterator = CronExpressionParser.parse(rule.schedule!, { currentDate: new Date(NOW), tz: rule.timezone });
      const expected = Array.from({ length: 4 }, () => iterator.next().toDate().toISOString());
      expect(printed.rules.find((candidate) => candidate.id === rule.id)).toEqual({ id: rule.id, schedule: rule.schedule, timezone: 'Asia/Shanghai', next: expected });
    }
  });

  it('shows the device-logs rule firing at 03:15 Shanghai time, 19:15 UTC', async () => {
    const result = await runCli(['schedule', '--rules', RULES, '--now', NOW, '--count', '2']);
    expect(result.stdout).toMatch(/^device-logs +15 3 \* \* \* \(Asia\/Shanghai\) +2026-11-25T19:15:00\.000Z {2}2026-11-26T19:15:00\.000Z$/m);
  });

  it('rejects a --count that is not a positive whole number with exit 2', async () => {
    const result = await runCli(['schedule', '--rules', RULES, '--count', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--count must be a positive whole number, got 0');
  });
});
