import { DEFAULT_GUARD } from '../../../src/rules/types.js';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../../src/rules/load-rules.js';
import type { FileAccess } from '../../../src/rules/read-rule-files.js';

const BENCH3D_RULES = fileURLToPath(new URL('../../../rules/', import.meta.url));

describe('the Bench3D rules, loaded offline', () => {
  it('load without any problem', async () => {
    const { ruleSet, problems } = await loadRules(BENCH3D_RULES);
    expect(problems).toEqual([]);
    expect(ruleSet).toBeDefined();
  });

  it('hold 12 rules, each in the category named by its file', async () => {
    const { ruleSet } = await loadRules(BENCH3D_RULES);
    const byId = Object.fromEntries(ruleSet!.rules.map((rule) => [rule.id, rule.category]));
    expect(byId).toEqual({
      accounts: 'accounts',
      'cancelled-accounts-profile': 'cancelled-accounts',
      'cancelled-accounts-device-logs': 'cancelled-accounts',
      'cancelled-accounts-models': 'cancelled-accounts',
      'cancelled-accounts-verification-codes': 'cancelled-accounts',
      'device-logs': 'device-logs',
      'minors-without-consent': 'minors',
      'minors-with-consent-expired': 'minors',
      'public-model-metadata': 'public-model-metadata',
      'third-party-logins-unbound': 'third-party-logins',
      'third-party-logins-cancelled': 'third-party-logins',
      'verification-codes': 'verification-codes',
    });
    expect(ruleSet!.rules).toHaveLength(12);
  });

  it('name each rule file after its category', async () => {
    const { ruleSet } = await loadRules(BENCH3D_RULES);
    for (const rule of ruleSet!.rules) expect(rule.source.file).toBe(join(BENCH3D_RULES, `${rule.category}.yaml`));
  });

  it('take the holds query and the default timezone and batch from lethe.yaml', async () => {
    const { ruleSet } = await loadRules(BENCH3D_RULES);
    expect(ruleSet!.holds.subjects).toBe('SELECT user_id FROM legal_holds WHERE released_at IS NULL');
    expect(ruleSet!.defaults).toEqual({ timezone: 'Asia/Shanghai', guard: { ...DEFAULT_GUARD, maxShare: 0.98 }, batch: { targetMs: 250, maxRows: 50_000 } });
    for (const rule of ruleSet!.rules) {
      expect(rule.timezone).toBe('Asia/Shanghai');
      expect(rule.batch).toEqual({ targetMs: 250, maxRows: 50_000 });
    }
  });

  it('give every rule a subject, so the legal holds reach every table', async () => {
    const { ruleSet } = await loadRules(BENCH3D_RULES);
    expect(ruleSet!.rules.filter((rule) => !rule.subject).map((rule) => rule.id)).toEqual([]);
  });

  it('normalize the device-logs rule: an anonymize window at 30d, then delete at 180d', async () => {
    const { ruleSet } = await loadRules(BENCH3D_RULES);
    const rule = ruleSet!.rules.find((candidate) => candidate.id === 'device-logs')!;
    expect(rule.table).toEqual({ schema: undefined, name: 'device_logs' });
    expect(rule.phases.map((phase) => [phase.after.text, phase.action])).toEqual([
      ['30d', 'anonymize'],
      ['180d', 'delete'],
    ]);
    expect(rule.phases[0]!.set).toContainEqual({ column: 'ip', strategy: { kind: 'generalize-ip', bits: 24 } });
    expect(rule.phases[0]!.set).toContainEqual({ column: 'payload', strategy: { kind: 'json-remove', keys: ['gps', 'contacts', 'phone'] } });
  });

  it('load the same rules through an injected FileAccess, without the loader touching the disk itself', async () => {
    const names = await readdir(BENCH3D_RULES);
    const texts = new Map(await Promise.all(names.map(async (name) => [join('/mem/rules', name), await readFile(join(BENCH3D_RULES, name), 'utf8')] as const)));
    const memory: FileAccess = {
      isDirectory: async (path) => path === '/mem/rules',
      list: async () => names,
      read: async (path) => texts.get(path)!,
    };
    const { ruleSet, problems } = await loadRules('/mem/rules', memory);
    expect(problems).toEqual([]);
    expect(ruleSet!.rules.map((rule) => rule.id)).toHaveLength(12);
    expect(ruleSet!.files.every((file) => file.startsWith('/mem/rules/'))).toBe(true);
  });
});
