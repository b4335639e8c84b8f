import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBundle } from '../support/ensure-bundle.js';

const root = join(import.meta.dirname, '..', '..');
const folder = mkdtempSync(join(tmpdir(), 'lethe-npm-package-'));
const prefix = join(folder, 'prefix');
const installed = join(prefix, 'bin', 'lethe');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

/** npm with the environment of the test run minus what would redirect a global install. */
function npm(args: string[]): SpawnSyncReturns<string> {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/^npm_config_(prefix|global|location)$/i.test(key)) delete env[key];
  return spawnSync('npm', args, { cwd: folder, env, encoding: 'utf8', timeout: 600_000 });
}

function lethe(args: string[], cwd = folder): SpawnSyncReturns<string> {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  return spawnSync(installed, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
}

let packed: { filename: string; files: { path: string }[] };
/** Why the install could not be tried here (no way to fetch the dependencies), or undefined. */
let unavailable: string | undefined;

beforeAll(() => {
  ensureBundle();
  // The bundle is fresh: pack without `prepare` rebuilding it.
  const pack = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', folder, root]);
  expect(pack.status, pack.stderr).toBe(0);
  packed = (JSON.parse(pack.stdout) as (typeof packed)[])[0]!;
  const install = npm(['install', '-g', '--prefix', prefix, join(folder, packed.filename), '--prefer-offline', '--no-audit', '--no-fund']);
  if (install.status !== 0) {
    if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENOTCACHED|network/i.test(install.stderr)) unavailable = `npm install could not fetch the dependencies: ${install.stderr.trim().split('\n').pop()}`;
    else expect.fail(`npm install -g of the tarball failed:\n${install.stderr}`);
  }
}, 900_000);

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('the npm package', () => {
  it('holds the bundle, the rules, the schemas and the licenses, and no sources or tests', () => {
    const paths = packed.files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining(['bin/lethe.js', 'dist/lethe.js', 'dist/THIRD-PARTY-NOTICES.txt', 'LICENSE', 'README.md', 'package.json', 'rules/lethe.yaml', 'schema/rule-file.schema.json']));
    expect(paths.filter((path) => /^(src|test|scripts)\//.test(path) || path.endsWith('.map') || path.endsWith('.ts'))).toEqual([]);
  });

  it('installs into an empty prefix and answers --help and --version there', (ctx) => {
    if (unavailable) {
      process.stderr.write(`skipped: ${unavailable}\n`);
      ctx.skip();
    }
    const help = lethe(['--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: lethe /);
    expect(lethe(['--version']).stdout.trim()).toBe(version);
  });

  it('validates the Bench3D rules shipped in the package, with the SQL parser found in the installed layout', (ctx) => {
    if (unavailable) ctx.skip();
    const rules = join(prefix, 'lib', 'node_modules', 'lethe', 'rules');
    const valid = lethe(['validate', '--rules', rules]);
    expect(valid.status, valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/\d+ rules in \d+ files are valid/);
    // A fragment that does not parse: the WebAssembly parser really ran.
    const broken = lethe(['validate', '--rules', join(root, 'test', 'fixtures', 'bad-rules', 'where-syntax-error')]);
    expect(broken.status).toBe(2);
    expect(broken.stdout).toMatch(/not valid SQL here/);
  });
});
