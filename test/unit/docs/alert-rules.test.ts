import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

/** The alert rules in docs/operations.md parse, and name only metrics Lethe emits. */

const ROOT = new URL('../../../', import.meta.url);
const read = (path: string) => readFile(new URL(path, ROOT), 'utf8');

async function emittedNames(): Promise<Set<string>> {
  const sources = await Promise.all(['src/report/render-metrics.ts', 'src/report/render-check-metrics.ts'].map(read));
  return new Set(sources.flatMap((source) => [...source.matchAll(/'(lethe_[a-z_]+)'/g)].map((match) => match[1]!)));
}

describe('alert rules in docs/operations.md', () => {
  it('are a valid rule group whose expressions use only metrics Lethe emits', async () => {
    const page = await read('docs/operations.md');
    const section = page.slice(page.indexOf('## What to alert on'));
    const block = /```yaml\n([\s\S]*?)```/.exec(section);
    expect(block, 'a yaml block under "What to alert on"').not.toBeNull();
    const rules = (parse(block![1]!) as { groups: { name: string; rules: { alert: string; expr: string }[] }[] }).groups.flatMap((group) => group.rules);
    const names = await emittedNames();
    const alerts = rules.map((rule) => rule.alert);
    for (const wanted of ['LetheRuleNotSucceeding', 'LetheOverdueRows', 'LetheGuardTripped']) expect(alerts).toContain(wanted);
    for (const rule of rules) {
      expect(rule.expr, rule.alert).toBeTruthy();
      for (const [name] of rule.expr.matchAll(/lethe_[a-z_]+/g)) expect(names.has(name), `${rule.alert}: ${name} is emitted`).toBe(true);
    }
  });

  it('the metrics table lists every metric Lethe emits', async () => {
    const page = await read('docs/operations.md');
    for (const name of await emittedNames()) expect(page, name).toContain(`\`${name}\``);
  });
});
