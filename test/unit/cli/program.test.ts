import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('the CLI shell', () => {
  it('lists every command with a one-line description in --help', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['validate', 'check', 'plan', 'run', 'status', 'schedule', 'seed', 'demo']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b.*\\S.*$`, 'm'));
    }
    for (const option of ['--db <url>', '--rules <dir>', '--verbose', '--no-progress', '--log-format <format>']) expect(result.stdout).toContain(option);
  });

  it('prints the package version with --version', async () => {
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('exits 2 on an unknown flag or command', async () => {
    expect((await runCli(['plan', '--nope'])).code).toBe(2);
    expect((await runCli(['forget-everything'])).code).toBe(2);
  });

  it('exits 2 with one line when no database is configured', async () => {
    const result = await runCli(['plan', '--rules', 'rules']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^lethe: no database given \[DB_NOT_CONFIGURED\]\nhint: /);
  });

  it('never prints the password of a database URL, even with --verbose', async () => {
    const result = await runCli(['--verbose', 'check', '--rules', 'rules', '--db', 'postgres://lethe:s3cret-pass@127.0.0.1:1/x']);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).not.toContain('s3cret-pass');
    expect(result.stderr).toContain('postgres://lethe:***@127.0.0.1:1/x');
  });
});
