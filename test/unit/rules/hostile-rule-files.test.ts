import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../../src/rules/load-rules.js';
import type { FileAccess } from '../../../src/rules/read-rule-files.js';
import { RULE_FILE_LIMITS } from '../../../src/rules/rule-file-limits.js';
import { runCli } from '../../support/run-cli.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lethe-hostile-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function rulesText(category: string, count: number, prefix = 'r'): string {
  const lines = [`category: ${category}`, 'rules:'];
  for (let index = 0; index < count; index++) {
    lines.push(`  - id: ${prefix}-${index}`, '    table: device_logs', '    clock: device_logs.created_at', '    phases:', '      - { after: 30d, action: delete }');
  }
  return lines.join('\n') + '\n';
}

async function folder(name: string, files: Record<string, string>): Promise<string> {
  const path = join(dir, name);
  await mkdir(path, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(path, file), text);
  return path;
}

describe('rule files beyond the documented limits', () => {
  it('refuses a file over the size limit by its size on disk, without reading it', async () => {
    const reads: string[] = [];
    const memory: FileAccess = {
      isDirectory: async (path) => path === '/mem',
      list: async () => ['huge.yaml', 'small.yaml'],
      size: async (path) => (path.endsWith('huge.yaml') ? 5 * 1024 * 1024 : 200),
      read: async (path) => {
        reads.push(path);
        return rulesText('small', 1);
      },
    };
    const { ruleSet, problems } = await loadRules('/mem', memory);
    expect(ruleSet).toBeUndefined();
    expect(reads).toEqual(['/mem/small.yaml']);
    expect(problems).toEqual([
      { severity: 'error', check: 'file-too-large', file: '/mem/huge.yaml', line: 1, column: 1, path: '(file)', message: 'the file is 5 MiB; rule files are limited to 256 KiB each' },
    ]);
  });

  it('refuses 60,000 rules (5 MB) with exit 2, naming the file, in about the time of a small file', async () => {
    const path = await folder('sixty-thousand', { 'logs.yaml': rulesText('logs', 60_000) });
    const started = Date.now();
    const result = await runCli(['validate', '--rules', path]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/logs\.yaml:1:1 \(file\): the file is \d+(\.\d)? MiB; rule files are limited to 256 KiB each\n/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('counts rules across files before validating any: the file that passes the limit is named', async () => {
    const path = await folder('many-rules', { 'a.yaml': rulesText('a', 600, 'a'), 'b.yaml': rulesText('b', 600, 'b') });
    const result = await runCli(['validate', '--rules', path]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe(`${join(path, 'b.yaml')}:3:3 rules: 600 rules (1200 with the files before it); all rule files together are limited to ${RULE_FILE_LIMITS.rules} rules\ninvalid: 1 error, 0 warnings\n`);
  });

  it('refuses files that together pass the folder limit, naming the first file over it', async () => {
    const files = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((name) => [`${name}.yaml`, `# ${'x'.repeat(200 * 1024)}\n${rulesText(name, 1, name)}`]));
    const path = await folder('large-folder', files);
    const result = await runCli(['validate', '--rules', path]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe(`${join(path, 'f.yaml')}:1:1 (file): the rule files reach 1.2 MiB with this one; all rule files together are limited to 1 MiB\ninvalid: 1 error, 0 warnings\n`);
  });
});

describe('--rules naming one file', () => {
  const subjectRule = rulesText('logs', 1).replace('    clock:', '    subject: device_logs.user_id\n    clock:');

  it('reads the lethe.yaml beside it, holds included', async () => {
    const path = await folder('single-with-settings', { 'lethe.yaml': 'holds:\n  subjects: "SELECT user_id FROM legal_holds"\n', 'logs.yaml': subjectRule });
    const { ruleSet, problems } = await loadRules(join(path, 'logs.yaml'));
    expect(problems).toEqual([]);
    expect(ruleSet!.holds.subjects).toBe('SELECT user_id FROM legal_holds');
    expect(ruleSet!.settingsFile).toBe(join(path, 'lethe.yaml'));
  });

  it('refuses with exit 2 when its rules rely on holds and no lethe.yaml stands beside it', async () => {
    const path = await folder('single-without-settings', { 'logs.yaml': subjectRule });
    const result = await runCli(['validate', '--rules', join(path, 'logs.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe(
      `${join(path, 'logs.yaml')}:5:14 rules[0].subject: relies on holds, but no lethe.yaml stands beside this file; put the settings file (holds) next to it or pass --rules the folder\ninvalid: 1 error, 0 warnings\n`,
    );
  });

  it('accepts a single file without settings when no rule relies on holds', async () => {
    const path = await folder('single-no-subject', { 'logs.yaml': rulesText('logs', 1) });
    const result = await runCli(['validate', '--rules', join(path, 'logs.yaml')]);
    expect(result.stdout).toBe('1 rule in 1 file is valid\n');
    expect(result.code).toBe(0);
  });
});
