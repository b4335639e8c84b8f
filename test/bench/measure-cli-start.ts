import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median, secondsSince } from './measure.js';

export interface CliStart {
  /** Wall time of `lethe --version`: loading the CLI's modules, which every Lethe run pays. */
  seconds: number;
  /** Its peak RSS: the floor under every run's peak (null without /usr/bin/time). */
  rssBytes: number | null;
}

/** The fixed cost of starting the CLI, median of three. */
export function measureCliStart(cli: string): CliStart {
  const folder = mkdtempSync(join(tmpdir(), 'lethe-bench-start-'));
  const rssFile = join(folder, 'rss');
  const useTime = existsSync('/usr/bin/time');
  const seconds: number[] = [];
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      const started = performance.now();
      const result = useTime
        ? spawnSync('/usr/bin/time', ['-f', '%M', '-o', rssFile, process.execPath, resolve(cli), '--version'], { stdio: 'ignore' })
        : spawnSync(process.execPath, [resolve(cli), '--version'], { stdio: 'ignore' });
      if (result.status !== 0) throw new Error(`${cli} --version exited ${result.status}: is the CLI built (npm run build)?`);
      seconds.push(secondsSince(started));
    }
    const rss = useTime ? Number(readFileSync(rssFile, 'utf8').trim()) * 1024 : Number.NaN;
    return { seconds: median(seconds), rssBytes: Number.isFinite(rss) ? rss : null };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
