import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
export const BUNDLE = join(ROOT, 'dist', 'lethe.js');

/**
 * The tests run the CLI as it ships: the bundle in dist/. `npm test` builds it first
 * (pretest); a run of vitest alone rebuilds it when any source is newer, so a test never
 * exercises yesterday's code.
 */
export function ensureBundle(): void {
  if (existsSync(BUNDLE) && newestSourceMs() <= statSync(BUNDLE).mtimeMs) return;
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundle-cli.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

function newestSourceMs(): number {
  let newest = Math.max(statSync(join(ROOT, 'scripts', 'bundle-cli.mjs')).mtimeMs, statSync(join(ROOT, 'package.json')).mtimeMs);
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(join(ROOT, 'src'));
  return newest;
}
