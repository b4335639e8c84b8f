import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'lethe.js');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI (npm test builds dist/ first) as a user runs it, with no DATABASE_URL around. */
function runLethe(args: string[]): Promise<Outcome> {
  const env = { ...process.env };
  delete env.DATABASE_URL;
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

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

describe('lethe seed (built CLI)', () => {
  it('rejects a negative --scale with exit 2 and one clear line', async () => {
    const outcome = await runLethe(['seed', '--scale', '-1']);
    expect(outcome.code).toBe(2);
    expect(lines(outcome.stderr)).toEqual(['lethe: --scale must be a positive number, got -1 [USAGE]']);
    expect(outcome.stdout).toBe('');
  });

  it.each([
    [['--scale', 'lots'], '--scale must be a positive number, got lots'],
    [['--scale', '0'], '--scale must be a positive number, got 0'],
    [['--seed', '-3'], '--seed must be a non-negative integer, got -3'],
    [['--seed', '1.5'], '--seed must be a non-negative integer, got 1.5'],
    [['--now', 'tomorrow'], '--now must be an ISO 8601 date'],
    [['--now', '2026-11-25T10:00:00'], '--now must be an ISO 8601 date'],
  ])('rejects seed %j with exit 2 before touching a database', async (flags, message) => {
    const outcome = await runLethe(['seed', '--db', 'postgres://postgres@127.0.0.1:1/x', ...flags]);
    expect(outcome.code).toBe(2);
    expect(lines(outcome.stderr)).toHaveLength(1);
    expect(outcome.stderr).toContain(message);
  });

  it('reports an unreachable database with exit 1 and a clear line', async () => {
    const outcome = await runLethe(['seed', '--db', 'postgres://postgres@127.0.0.1:1/x']);
    expect(outcome.code).toBe(1);
    expect(lines(outcome.stderr)[0]).toBe('lethe: cannot connect to postgres://postgres@127.0.0.1:1/x [DB_UNREACHABLE]');
    expect(outcome.stderr).not.toMatch(/^\s+at /m);
  });

  it('never prints the password of the database URL', async () => {
    const outcome = await runLethe(['seed', '--db', 'postgres://u:secret@127.0.0.1:1/x']);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout + outcome.stderr).not.toContain('secret');
    expect(outcome.stderr).toContain('postgres://u:***@127.0.0.1:1/x');
  });

  it('never prints the password with --verbose either', async () => {
    const outcome = await runLethe(['--verbose', 'seed', '--db', 'postgres://u:secret@127.0.0.1:1/x']);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout + outcome.stderr).not.toContain('secret');
  });

  describe('against a real database', () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase({ empty: true });
    });
    afterAll(async () => {
      await database?.drop();
    });

    it('loads the schema and the data, prints rows per table, and exits 0', async () => {
      const outcome = await runLethe(['seed', '--db', database.url, '--scale', '0.1', '--seed', '7', '--now', '2026-11-25']);
      expect(outcome.stderr).not.toContain('[');
      expect(outcome.code).toBe(0);
      expect(outcome.stdout).toContain('seeded Bench3D: scale 0.1, seed 7, now 2026-11-25T00:00:00.000Z');
      expect(outcome.stdout).toMatch(/device_logs\s+2,000\n/);
      expect(outcome.stdout).toMatch(/total\s+2,693 rows in [\d.]+ s \([\d,]+ rows\/s; device_logs [\d,]+ rows\/s\)/);
      const users = await database.db('users').count<{ count: string }[]>('* as count');
      expect(Number(users[0]!.count)).toBe(100);
    });

    it('refuses to seed the same database twice with exit 2 and a hint', async () => {
      const outcome = await runLethe(['seed', '--db', database.url, '--scale', '0.1']);
      expect(outcome.code).toBe(2);
      expect(outcome.stderr).toContain('Bench3D tables already hold rows');
      expect(outcome.stderr).toContain('hint: seed into a fresh database');
    });
  });
});
