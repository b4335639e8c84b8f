import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex from 'knex';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureBundle } from '../support/ensure-bundle.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'lethe.js');

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The built CLI as a user runs it, with no database configured unless the test gives one. */
function runLethe(args: string[], options: { env?: NodeJS.ProcessEnv; onStdout?: (stdout: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<Outcome> {
  const env = { ...process.env, ...options.env };
  if (!options.env?.DATABASE_URL) delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      options.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function demoFolders(): Set<string> {
  return new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('lethe-demo-')).map((name) => join(tmpdir(), name)));
}

/** Live processes whose command line names the folder (a zombie's command line is empty). */
function processesUsing(folder: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(folder)) found.push(`${pid}: ${cmdline.trim()}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function folderNamedIn(stdout: string): string | undefined {
  return /data in (\S+lethe-demo-\S+)/.exec(stdout)?.[1];
}

/** Nothing the demo created outlives it: no new temp folder, no server still running on one. */
function expectNothingLeftBehind(before: Set<string>, stdout: string): void {
  const folder = folderNamedIn(stdout);
  const created = [...demoFolders()].filter((dir) => !before.has(dir));
  expect(created).toEqual([]);
  if (folder) {
    expect(existsSync(folder)).toBe(false);
    expect(processesUsing(folder)).toEqual([]);
  }
  for (const dir of created) expect(processesUsing(dir)).toEqual([]);
}

beforeAll(() => ensureBundle(), 120_000);

describe('lethe demo', () => {
  it('tells the story on an embedded PostgreSQL and leaves nothing behind', async () => {
    const before = demoFolders();
    const outcome = await runLethe(['demo']);

    expect(outcome.stderr).not.toMatch(/\[(INTERNAL|EMBEDDED_POSTGRES_FAILED)\]/);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/database: an embedded PostgreSQL on 127\.0\.0\.1:\d+, data in \S+lethe-demo-/);
    expect(outcome.stdout).toContain('scale 0.2, seed 42');
    expect(outcome.stdout).toMatch(/1\. Create the Bench3D schema/);
    for (const table of ['users', 'third_party_logins', 'device_logs', 'verification_codes', 'models', 'public_model_metadata', 'legal_holds']) {
      expect(outcome.stdout).toMatch(new RegExp(`^ +${table} +[\\d,]+$`, 'm'));
    }
    expect(outcome.stdout).toMatch(/[\d,]+ users cancelled their account/);
    expect(outcome.stdout).toMatch(/[\d,]+ accounts belong to children under 14 without a guardian's consent/);
    expect(outcome.stdout).toMatch(/[\d,]+ users are under an active legal hold/);
    expect(outcome.stdout).toMatch(/[\d,]+ device logs are older than 30 days .*[\d,]+ of them older than 180 days/);
    expect(outcome.stdout).toMatch(/[\d,]+ models were public and are not any more/);
    expect(outcome.stdout).toMatch(/\d+\. Export: one person's data as JSON/);
    expect(outcome.stdout).toMatch(/lethe export --subject <an active user's id>: status ok, \d+ rows, [\d.]+ KiB of JSON/);
    expect(outcome.stdout).toMatch(/^ +accounts +users +1$/m);
    expect(outcome.stdout).toMatch(/Erase: one person asks to be forgotten/);
    expect(outcome.stdout).toMatch(/--request-id DEMO-REQUEST-1: done/);
    expect(outcome.stdout).toMatch(/Done in [\d.]+ s\. The throwaway database is gone\./);
    expectNothingLeftBehind(before, outcome.stdout);
  }, 180_000);

  it('stops on SIGINT with a non-zero code and still cleans up', async () => {
    const before = demoFolders();
    let sent = false;
    const outcome = await runLethe(['demo'], {
      onStdout: (stdout, child) => {
        // The server is up and the story has begun: the worst moment to leave things behind.
        if (!sent && /1\. Create the Bench3D schema/.test(stdout)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });

    expect(sent).toBe(true);
    expect([3, 130]).toContain(outcome.code);
    expect(outcome.stderr).toContain('SIGINT');
    expect(outcome.stdout).not.toContain('Done in');
    expectNothingLeftBehind(before, outcome.stdout);
  }, 180_000);

  it('with --db works in a scratch database of its own and drops it', async () => {
    const adminUrl = inject('adminUrl');
    const outcome = await runLethe(['demo', '--scale', '0.05', '--seed', '7'], { env: { DATABASE_URL: adminUrl } });

    expect(outcome.stderr).not.toMatch(/\[INTERNAL\]/);
    expect(outcome.code).toBe(0);
    const scratch = /the scratch database (lethe_demo_[0-9a-f]+)/.exec(outcome.stdout)?.[1];
    expect(scratch).toBeDefined();
    expect(outcome.stdout).toContain('seed 7');
    const admin = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
    try {
      const left = await admin.raw<{ rows: unknown[] }>('SELECT 1 FROM pg_database WHERE datname = ?', [scratch!]);
      expect(left.rows).toEqual([]);
    } finally {
      await admin.destroy();
    }
  }, 180_000);

  it('rejects a scale that is not a positive number before starting anything', async () => {
    const before = demoFolders();
    const outcome = await runLethe(['demo', '--scale', 'lots']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('--scale');
    expectNothingLeftBehind(before, outcome.stdout);
  }, 60_000);
});
