import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockKeyOf } from '../../../src/execute/advisory-lock.js';
import { runCli } from '../../support/run-cli.js';
import { createRestrictedRole, readDocumentedGrants, type RestrictedRole } from '../../support/restricted-role.js';
import { BENCH_NOW, createSeededDatabase, RULES_DIR } from '../../support/run-helpers.js';
import type { TestDatabase } from '../../support/test-database.js';

/**
 * Lethe as production runs it: a login role with exactly the grants docs/security.md gives for
 * the Bench3D rules, never a superuser. Every command below runs through the CLI as that role.
 */

let database: TestDatabase;
let role: RestrictedRole;

beforeAll(async () => {
  database = await createSeededDatabase({ scale: 0.2, seed: 5 });
  role = await createRestrictedRole(database, await readDocumentedGrants());
}, 300_000);

afterAll(async () => {
  await role?.drop();
  await database?.drop();
});

const asRole = (...args: string[]) => runCli([...args, '--db', role.url, '--rules', RULES_DIR, '--now', BENCH_NOW]);

async function count(sql: string): Promise<number> {
  const result = await database.db.raw<{ rows: { n: string }[] }>(sql);
  return Number(result.rows[0]!.n);
}

async function countWrites(): Promise<{ runs: number; deviceLogs: number; codes: number }> {
  const state = await count(`SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'lethe' AND tablename = 'runs'`);
  return {
    runs: state ? await count('SELECT count(*) AS n FROM lethe.runs') : 0,
    deviceLogs: await count('SELECT count(*) AS n FROM device_logs'),
    codes: await count('SELECT count(*) AS n FROM verification_codes'),
  };
}

describe('a role with exactly the documented grants', () => {
  it('is no superuser and owns none of the tables', async () => {
    const facts = await database.db.raw<{ rows: { super: boolean; owns: string }[] }>(
      `SELECT rolsuper AS super, (SELECT count(*) FROM pg_class WHERE relowner = r.oid AND relnamespace = 'public'::regnamespace) AS owns FROM pg_roles r WHERE rolname = ?`,
      [role.name],
    );
    expect(facts.rows[0]).toEqual({ super: false, owns: '0' });
  });

  it('passes check, --requests and --coverage included (exit 0, no missing privilege)', async () => {
    const result = await asRole('check', '--requests', '--coverage', '--format', 'json');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).missingPrivileges).toEqual([]);
  });

  it('plans: every rule planned, rows due', async () => {
    const result = await asRole('plan', '--format', 'json');
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { rules: { status: string; phases: { candidates: number }[] }[] };
    expect(report.rules.every((rule) => rule.status === 'planned')).toBe(true);
    expect(report.rules.flatMap((rule) => rule.phases).reduce((sum, phase) => sum + phase.candidates, 0)).toBeGreaterThan(0);
  });

  it('runs every rule to done, creating its state tables in the schema made for it, and a second plan finds nothing due', async () => {
    const before = await countWrites();
    const result = await asRole('run', '--yes', '--format', 'json', '--max-replica-lag', '10s');
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { rules: { id: string; status: string; phases: { affected: number }[] }[] };
    expect(report.rules.map((rule) => [rule.id, rule.status]).filter(([, status]) => status !== 'done')).toEqual([]);
    expect(report.rules.flatMap((rule) => rule.phases).reduce((sum, phase) => sum + phase.affected, 0)).toBeGreaterThan(0);
    const after = await countWrites();
    expect(after.runs).toBe(before.runs + 1);
    expect(after.deviceLogs).toBeLessThan(before.deviceLogs);
    const owner = await database.db.raw<{ rows: { owner: string }[] }>(`SELECT tableowner AS owner FROM pg_tables WHERE schemaname = 'lethe' AND tablename = 'ledger'`);
    expect(owner.rows[0]!.owner).toBe(role.name);
    const again = JSON.parse((await asRole('plan', '--format', 'json')).stdout) as { rules: { phases: { candidates: number }[] }[] };
    expect(again.rules.flatMap((rule) => rule.phases).reduce((sum, phase) => sum + phase.candidates, 0)).toBe(0);
  });

  it('reads status: every rule done, the ledger chain verified', async () => {
    const result = await asRole('status', '--format', 'json');
    expect(result.code, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout) as { rules: { lastRun: { status: string } | null }[]; ledger: { verified: boolean; batches: number } };
    expect(status.rules.every((rule) => rule.lastRun?.status === 'done')).toBe(true);
    expect(status.ledger.verified).toBe(true);
    expect(status.ledger.batches).toBeGreaterThan(0);
  });
});

describe('lock holders as the role', () => {
  it("status names a lock held by another role's session, with its start time (pg_read_all_stats)", async () => {
    const holder = new pg.Client({ connectionString: database.url, application_name: 'on-call-psql' });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [lockKeyOf('device-logs').toString()]);
      const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const result = await asRole('status', '--format', 'json');
      expect(result.code, result.stderr).toBe(0);
      const lock = (JSON.parse(result.stdout) as { rules: { id: string; lock: { pid: number; applicationName: string; since: string | null } | null }[] }).rules.find((rule) => rule.id === 'device-logs')?.lock;
      expect(lock).toMatchObject({ pid, applicationName: 'on-call-psql' });
      expect(lock?.since).not.toBeNull();
    } finally {
      await holder.end();
    }
  });
});

describe('request commands as the role', () => {
  it('export reads one person\'s rows exactly as the administrator sees them (exit 0)', async () => {
    const subject = (await database.db.raw<{ rows: { id: string }[] }>('SELECT user_id::text AS id FROM device_logs WHERE user_id IS NOT NULL GROUP BY user_id ORDER BY count(*) DESC LIMIT 1')).rows[0]!.id;
    const asRoleResult = await runCli(['export', '--db', role.url, '--rules', RULES_DIR, '--subject', subject]);
    expect(asRoleResult.code, asRoleResult.stderr).toBe(0);
    const asAdmin = await runCli(['export', '--db', database.url, '--rules', RULES_DIR, '--subject', subject]);
    const shape = (text: string) => {
      const document = JSON.parse(text) as { rows: number; tables: { table: string; rows: number }[] };
      return { rows: document.rows, tables: document.tables.map((table) => [table.table, table.rows]) };
    };
    expect(shape(asRoleResult.stdout)).toEqual(shape(asAdmin.stdout));
    expect(shape(asRoleResult.stdout).rows).toBeGreaterThan(0);
  });
});

describe('a role missing one grant', () => {
  it('check names the missing GRANT (exit 2); run refuses with the same statement and writes nothing', async () => {
    await role.grant('REVOKE DELETE ON public.verification_codes FROM lethe_runner');
    try {
      const before = await countWrites();
      const check = await asRole('check');
      expect(check.code).toBe(2);
      const fix = `GRANT DELETE ON public.verification_codes TO ${role.name};`;
      expect(check.stdout).toContain(`rule 'verification-codes': missing DELETE on public.verification_codes`);
      expect(check.stdout).toContain(`rule 'cancelled-accounts-verification-codes': missing DELETE on public.verification_codes`);
      expect(check.stdout).toContain(`fix: ${fix}`);
      expect(check.stdout).not.toContain('permission denied');
      const run = await asRole('run', '--yes');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('[PRIVILEGE_MISSING]');
      expect(run.stderr).toContain(`fix: ${fix}`);
      expect(await countWrites()).toEqual(before);
      // A plan only reads: it still works.
      expect((await asRole('plan')).code).toBe(0);
    } finally {
      await role.grant('GRANT DELETE ON public.verification_codes TO lethe_runner');
    }
  });

  it('every documented table privilege is needed: without any one of them, check exits 2 naming that table', async () => {
    const grants = [...(await readDocumentedGrants()).matchAll(/^GRANT (.+) ON (public\.\w+) TO lethe_runner;$/gm)];
    expect(grants.length).toBeGreaterThanOrEqual(7);
    // One privilege at a time: `SELECT`, `DELETE`, `UPDATE (a, b)` (commas inside parentheses stay).
    const single = grants.flatMap(([, list, table]) => list!.split(/,\s*(?![^()]*\))/).map((privileges) => [privileges, table!] as const));
    expect(single.length).toBeGreaterThan(grants.length);
    for (const [privileges, table] of single) {
      await role.grant(`REVOKE ${privileges} ON ${table} FROM lethe_runner`);
      try {
        const check = await asRole('check');
        expect(check.code, `${table} without ${privileges}`).toBe(2);
        expect(check.stdout).toMatch(new RegExp(`fix: GRANT [^\\n]* ON ${table.replace('.', '\\.')} TO `));
      } finally {
        await role.grant(`GRANT ${privileges} ON ${table} TO lethe_runner`);
      }
    }
  }, 300_000);

  it('column-level: an anonymized column without UPDATE is named with its column', async () => {
    await role.grant('REVOKE UPDATE (ip) ON public.device_logs FROM lethe_runner');
    try {
      const check = await asRole('check', '--format', 'json');
      expect(check.code).toBe(2);
      const missing = JSON.parse(check.stdout).missingPrivileges as { ruleId: string; grant: string }[];
      expect(missing).toEqual([{ ruleId: 'device-logs', missing: 'UPDATE (ip) on public.device_logs', why: "the rule's table", grant: `GRANT UPDATE (ip) ON public.device_logs TO ${role.name};` }]);
    } finally {
      await role.grant('GRANT UPDATE (ip) ON public.device_logs TO lethe_runner');
    }
  });

  it('--max-replica-lag without pg_read_all_stats is an error (exit 2), never "no standbys"; nothing is written', async () => {
    await role.grant('REVOKE pg_read_all_stats FROM lethe_runner');
    try {
      const before = await countWrites();
      const run = await asRole('run', '--yes', '--now', '2027-06-01T00:00:00Z', '--max-replica-lag', '2s');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--max-replica-lag');
      expect(run.stderr).toContain(`GRANT pg_read_all_stats TO ${role.name};`);
      expect(await countWrites()).toEqual(before);
    } finally {
      await role.grant('GRANT pg_read_all_stats TO lethe_runner');
    }
  });

  it('without its state schema, check names the CREATE SCHEMA an administrator runs', async () => {
    await role.grant('ALTER SCHEMA lethe RENAME TO lethe_moved');
    try {
      const check = await asRole('check');
      expect(check.code).toBe(2);
      expect(check.stdout).toContain(`fix: CREATE SCHEMA lethe AUTHORIZATION ${role.name};`);
    } finally {
      await role.grant('ALTER SCHEMA lethe_moved RENAME TO lethe');
    }
  });
});

describe('a role with SELECT only (the dry-run Job)', () => {
  it('plans (exit 0) while check, the gate for a run, names the DELETE and UPDATE grants it lacks', async () => {
    const tables = ['users', 'device_logs', 'models', 'public_model_metadata', 'third_party_logins', 'verification_codes', 'legal_holds'];
    const reader = await createRestrictedRole(database, `CREATE ROLE lethe_runner LOGIN; GRANT SELECT ON ${tables.map((table) => `public.${table}`).join(', ')} TO lethe_runner; GRANT USAGE ON SCHEMA lethe TO lethe_runner; GRANT SELECT ON lethe.checkpoints TO lethe_runner;`);
    try {
      const args = ['--db', reader.url, '--rules', RULES_DIR, '--now', '2027-06-01T00:00:00Z'];
      const plan = await runCli(['plan', '--format', 'json', ...args]);
      expect(plan.code, plan.stderr).toBe(0);
      const check = await runCli(['check', ...args]);
      expect(check.code).toBe(2);
      expect(check.stdout).toContain(`fix: GRANT DELETE, UPDATE (id) ON public.verification_codes TO ${reader.name};`);
    } finally {
      await reader.drop();
    }
  });
});

describe('the other state-schema setup: CREATE on the database instead of a schema made for the role', () => {
  it('check passes and the first run creates the state schema, owned by the role', async () => {
    const own = await createSeededDatabase({ scale: 0.05, seed: 9 });
    try {
      const grants = (await readDocumentedGrants()).replace(/^CREATE SCHEMA lethe AUTHORIZATION lethe_runner;$/m, `GRANT CREATE ON DATABASE "${own.name}" TO lethe_runner;`);
      expect(grants).toContain('GRANT CREATE ON DATABASE');
      const creator = await createRestrictedRole(own, grants);
      try {
        const args = ['--db', creator.url, '--rules', RULES_DIR, '--now', BENCH_NOW];
        const check = await runCli(['check', ...args]);
        expect(check.code, check.stdout + check.stderr).toBe(0);
        const run = await runCli(['run', '--yes', '--only', 'verification-codes', ...args]);
        expect(run.code, run.stderr).toBe(0);
        const owner = await own.db.raw<{ rows: { owner: string }[] }>(`SELECT nspowner::regrole::text AS owner FROM pg_namespace WHERE nspname = 'lethe'`);
        expect(owner.rows[0]!.owner).toBe(creator.name);
      } finally {
        await creator.drop();
      }
    } finally {
      await own.drop();
    }
  }, 300_000);
});
