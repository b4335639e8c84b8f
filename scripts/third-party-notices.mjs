import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

/**
 * The license text of every package whose code esbuild put into the bundle, found from the
 * metafile's inputs (`…/node_modules/<name>/…`), one section per package, sorted by name.
 */
export function writeThirdPartyNotices(root, metafile) {
  const folders = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input.split(sep).join('/'));
    if (match) folders.set(match[2], join(root, match[1]));
  }
  const sections = [...folders].sort(([a], [b]) => a.localeCompare(b)).map(([name, folder]) => describePackage(name, folder));
  return `Lethe's bundle (dist/*.js) includes code from these packages, under their licenses.\n\n${sections.join('\n')}`;
}

function describePackage(name, folder) {
  const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? 'see the package');
  const file = existsSync(folder) ? readdirSync(folder).find((entry) => /^(licen[cs]e|copying)(\..*)?$/i.test(entry)) : undefined;
  const text = file ? readFileSync(join(folder, file), 'utf8').trim() : `(no license file in the package; its package.json says ${license})`;
  return `${'='.repeat(72)}\n${name}@${pkg.version} (${license})\n${'='.repeat(72)}\n${text}\n`;
}
