import { rename, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { LetheError } from '../errors.js';
import { renderMetrics, type MetricsContext } from '../report/render-metrics.js';
import type { Report } from '../report/types.js';

/** Written beside the target then renamed: the textfile collector never reads half a file. */
export async function writeMetricsFile(path: string, report: Report, context: MetricsContext): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(temporary, renderMetrics(report, context));
    await rename(temporary, path);
  } catch (error) {
    throw new LetheError('USAGE', `--metrics-file: cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}
