import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { median, secondsSince } from './measure.js';

export interface CliStart {
  /** Wall time of `lethe --version`: loading the CLI's modules, which every Lethe run pays. */
  seconds: number;
  /** Its peak RSS: the floor under every run's peak (null without /usr/bin/time). */
  rssBytes: number | null;
  /** `node -e 0` in the same run: what any Node program pays before its first line. */
  baselineSeconds: number;
  /** `lethe --help`. */
  helpSeconds: number;
  /** `lethe validate` of the Bench3D rules shipped with the package. */
  validateSeconds: number;
  /** How many times of each were measured; the medians above are of these. */
  repeat: number;
}

type Probe = 'baseline' | 'version' | 'help' | 'validate';

/**
 * The fixed cost of starting the CLI, as medians of interleaved runs: `node -e 0`, `--version`,
 * `--help` and `validate` take turns, so a burst of load on a shared machine hits them alike and
 * the ratios to `node -e 0` stay comparable.
 */
export function measureCliStart(cli: string, repeat = 5): CliStart {
  const bin = resolve(cli);
  const rules = join(dirname(bin), '..', 'rules');
  const folder = mkdtempSync(join(tmpdir(), 'lethe-bench-start-'));
  const rssFile = join(folder, 'rss');
  const useTime = existsSync('/usr/bin/time');
  const args: Record<Probe, string[]> = {
    baseline: ['-e', '0'],
    version: [bin, '--version'],
    help: [bin, '--help'],
    validate: [bin, 'validate', '--rules', rules],
  };
  const seconds: Record<Probe, number[]> = { baseline: [], version: [], help: [], validate: [] };
  let rssBytes: number | null = null;
  try {
    for (let attempt = 0; attempt < repeat; attempt++) {
      for (const probe of Object.keys(args) as Probe[]) {
        const timed = useTime && probe === 'version';
        const started = performance.now();
        const result = timed
          ? spawnSync('/usr/bin/time', ['-f', '%M', '-o', rssFile, process.execPath, ...args[probe]], { stdio: 'ignore' })
          : spawnSync(process.execPath, args[probe], { stdio: 'ignore' });
        seconds[probe].push(secondsSince(started));
        if (result.status !== 0) throw new Error(`${args[probe].join(' ')} exited ${result.status}: is the CLI built (npm run build)?`);
        if (timed) rssBytes = Number(readFileSync(rssFile, 'utf8').trim()) * 1024;
      }
    }
    return {
      seconds: median(seconds.version),
      rssBytes: rssBytes !== null && Number.isFinite(rssBytes) ? rssBytes : null,
      baselineSeconds: median(seconds.baseline),
      helpSeconds: median(seconds.help),
      validateSeconds: median(seconds.validate),
      repeat,
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** One line: each start-up as seconds and as a multiple of `node -e 0`. */
export function describeCliStart(start: CliStart): string {
  const ratio = (value: number) => (value / start.baselineSeconds).toFixed(1);
  return (
    `CLI start-up, medians of ${start.repeat}: node -e 0 ${start.baselineSeconds.toFixed(3)} s; ` +
    `--version ${start.seconds.toFixed(3)} s (${ratio(start.seconds)}x); --help ${start.helpSeconds.toFixed(3)} s (${ratio(start.helpSeconds)}x); ` +
    `validate ${start.validateSeconds.toFixed(3)} s (${ratio(start.validateSeconds)}x); ${((start.rssBytes ?? 0) / 2 ** 20).toFixed(0)} MB RSS`
  );
}
