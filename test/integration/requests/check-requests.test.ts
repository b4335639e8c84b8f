import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestCoverage } from '../../../src/requests/find-uncovered-references.js';
import { runCli } from '../../support/run-cli.js';
import { createSeededDatabase, RULES_DIR } from '../../support/run-helpers.js';
import type { TestDatabase } from '../../support/test-database.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createSeededDatabase({ scale: 0.1 });
});

afterAll(async () => {
  await database?.drop();
});

async function checkRequests(rules: string, extra: string[] = []): Promise<{ code: number; coverage: RequestCoverage; text: string }> {
  const json = await runCli(['check', '--db', database.url, '--rules', rules, '--requests', '--format', 'json', ...extra]);
  const text = await runCli(['check', '--db', database.url, '--rules', rules, '--requests', ...extra]);
  expect(text.code).toBe(json.code);
  return { code: json.code, coverage: (JSON.parse(json.stdout) as { requests: RequestCoverage }).requests, text: text.stdout };
}

describe('lethe check --requests', () => {
  it('finds every table referencing users covered by the Bench3D rules', async () => {
    const { code, coverage, text } = await checkRequests(RULES_DIR, ['--fail-on-uncovered']);
    expect(code).toBe(0);
    expect(coverage.subjects).toEqual(['public.users.id']);
    expect(coverage.uncovered).toEqual([]);
    expect(coverage.covered).toEqual(['public.device_logs', 'public.legal_holds', 'public.models', 'public.public_model_metadata', 'public.third_party_logins', 'public.users', 'public.verification_codes']);
    expect(text).toContain('requests: people live in public.users.id; 7 tables reached by rules, 0 uncovered');
  });

  describe('on a schema with tables no rule reaches', () => {
    beforeAll(async () => {
      await database.db.raw('CREATE TABLE wechat_bindings (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id) ON DELETE SET NULL, open_id text)');
      await database.db.raw('CREATE TABLE support_tickets (id bigint PRIMARY KEY, user_id bigint, body text)');
      await database.db.raw('CREATE TABLE audit_events (id bigint PRIMARY KEY, actor text)');
    });

    afterAll(async () => {
      await database.db.raw('DROP TABLE wechat_bindings, support_tickets, audit_events');
    });

    it('lists a foreign key and a column only named like one, warns with exit 0, and exits 4 with --fail-on-uncovered', async () => {
      const warned = await checkRequests(RULES_DIR);
      expect(warned.code).toBe(0);
      expect(warned.coverage.uncovered).toEqual([
        { table: 'public.wechat_bindings', column: 'user_id', references: 'public.users.id', via: 'foreign-key' },
        { table: 'public.support_tickets', column: 'user_id', references: 'public.users.id', via: 'name' },
      ]);
      expect(warned.text).toContain('requests: warning: public.wechat_bindings.user_id references public.users.id and no rule with a subject reaches public.wechat_bindings');
      expect(warned.text).toContain('public.support_tickets.user_id references public.users.id (by its name; no foreign key)');
      expect(warned.text).not.toContain('audit_events');

      const gated = await checkRequests(RULES_DIR, ['--fail-on-uncovered']);
      expect(gated.code).toBe(4);
    });

    it('counts a table reached only through a rule\'s cascade tree as covered', async () => {
      const rules = mkdtempSync(join(tmpdir(), 'lethe-requests-'));
      try {
        writeFileSync(join(rules, 'lethe.yaml'), 'holds:\n  subjects: "SELECT user_id FROM legal_holds WHERE released_at IS NULL"\n');
        writeFileSync(
          join(rules, 'logs.yaml'),
          ['category: logs', 'rules:', '  - id: logs', '    table: device_logs', '    subject: device_logs.user_id', '    clock: device_logs.created_at', '    phases: [{ after: 180d, action: delete }]', ''].join('\n'),
        );
        const partial = await checkRequests(rules);
        expect(partial.coverage.uncovered.map((item) => `${item.table}.${item.column} ${item.via}`)).toEqual([
          'public.users.id subject-table',
          'public.legal_holds.user_id foreign-key',
          'public.models.owner_id foreign-key',
          'public.third_party_logins.user_id foreign-key',
          'public.verification_codes.user_id foreign-key',
          'public.wechat_bindings.user_id foreign-key',
          'public.support_tickets.user_id name',
        ]);
        writeFileSync(
          join(rules, 'accounts.yaml'),
          ['category: accounts', 'rules:', '  - id: accounts', '    table: users', '    subject: users.id', '    clock: "NULL::timestamptz"', '    cascade: [device_logs, models, legal_holds, wechat_bindings]', '    phases: [{ after: 0, action: delete }]', ''].join('\n'),
        );
        const whole = await checkRequests(rules, ['--fail-on-uncovered']);
        expect(whole.coverage.uncovered.map((item) => item.table)).toEqual(['public.support_tickets']);
        expect(whole.code).toBe(4);
      } finally {
        rmSync(rules, { recursive: true, force: true });
      }
    });
  });
});
