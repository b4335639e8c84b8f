import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedBench3d } from '../../src/bench3d/seed-bench3d.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'lethe.js');
const NOW = '2026-11-25T00:00:00Z';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI (npm test builds dist/ first) as a user runs it, its output through pipes. */
function runLethe(args: string[], extraEnv: Record<string, string> = {}): Promise<Outcome> {
  const env = { ...process.env, ...extraEnv };
  if (!extraEnv.DATABASE_URL) delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedBench3d(database.db, { scale: 0.2, seed: 7, now: new Date(NOW) });
});

afterAll(async () => {
  await database?.drop();
});

describe('lethe plan (built CLI)', () => {
  it('prints exactly one complete JSON report on a piped stdout, with DATABASE_URL from the environment, and logs only on stderr', async () => {
    const outcome = await runLethe(['plan', '--rules', 'rules', '--now', NOW, '--format', 'json'], { DATABASE_URL: database.url });
    expect(outcome.code).toBe(0);
    const report = JSON.parse(outcome.stdout) as { mode: string; rules: { id: string }[] };
    expect(report.mode).toBe('plan');
    expect(report.rules).toHaveLength(12);
    expect(outcome.stdout.endsWith('}\n')).toBe(true);
    for (const line of outcome.stderr.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('exits 2 from the process for an unknown --only id, with nothing on stdout', async () => {
    const outcome = await runLethe(['plan', '--db', database.url, '--rules', 'rules', '--only', 'nope']);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toContain("lethe: --only: no rule with id 'nope' [USAGE]");
  });

  it('exits 1 from the process when the database is unreachable, without printing the password', async () => {
    const outcome = await runLethe(['run', '--dry-run', '--db', 'postgres://lethe:Pr1vate-Pa55@127.0.0.1:1/lethe', '--rules', 'rules']);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toContain('lethe: cannot connect to postgres://lethe:***@127.0.0.1:1/lethe [DB_UNREACHABLE]');
    expect(outcome.stderr).not.toContain('Pr1vate-Pa55');
  });
});
